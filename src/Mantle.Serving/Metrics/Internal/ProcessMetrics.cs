using System.Diagnostics;
using Prometheus;

namespace Mantle.Serving.Metrics.Internal;

/// <summary>
/// The process's and the .NET runtime's series under the names Prometheus clients use for them (<c>process_*</c>) and
/// the runtime's own (<c>dotnet_*</c>), read from the process and the runtime each time the metrics are collected.
/// </summary>
internal static class ProcessMetrics
{
    public static void Register(IMetricFactory factory, CollectorRegistry registry)
    {
        var cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        var resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
        var virtualMemory = factory.CreateGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
        var start = factory.CreateGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
        var threads = factory.CreateGauge("process_threads", "Operating system threads of the process.");
        var fds = factory.CreateGauge("process_open_fds", "Open file descriptors.");
        var collections = factory.CreateCounter("dotnet_gc_collections_total", "Garbage collections since the process started, by generation.", new CounterConfiguration { LabelNames = ["generation"] });
        var heap = factory.CreateGauge("dotnet_gc_heap_size_bytes", "Managed heap size after the last garbage collection, in bytes.");
        var committed = factory.CreateGauge("dotnet_gc_committed_bytes", "Memory the garbage collector has committed, in bytes.");
        var allocated = factory.CreateCounter("dotnet_gc_allocated_bytes_total", "Bytes allocated on the managed heap since the process started.");
        var pause = factory.CreateCounter("dotnet_gc_pause_seconds_total", "Time the garbage collector paused the process, in seconds.");
        var poolThreads = factory.CreateGauge("dotnet_thread_pool_threads", "Thread pool threads.");
        var poolQueue = factory.CreateGauge("dotnet_thread_pool_queue_length", "Work items queued to the thread pool and not yet started.");
        var poolCompleted = factory.CreateCounter("dotnet_thread_pool_completed_items_total", "Work items the thread pool has completed.");
        var contention = factory.CreateCounter("dotnet_monitor_lock_contentions_total", "Times a thread waited for a lock held by another.");
        string[] generations = ["0", "1", "2"];
        using (var self = Process.GetCurrentProcess())
        {
            start.Set(new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0);
        }

        registry.AddBeforeCollectCallback(() =>
        {
            using var self = Process.GetCurrentProcess();
            cpu.IncTo(self.TotalProcessorTime.TotalSeconds);
            resident.Set(self.WorkingSet64);
            virtualMemory.Set(self.VirtualMemorySize64);
            threads.Set(self.Threads.Count);
            fds.Set(OpenDescriptors());
            for (var generation = 0; generation < generations.Length; generation++)
            {
                collections.WithLabels(generations[generation]).IncTo(GC.CollectionCount(generation));
            }

            var info = GC.GetGCMemoryInfo();
            heap.Set(info.HeapSizeBytes);
            committed.Set(info.TotalCommittedBytes);
            allocated.IncTo(GC.GetTotalAllocatedBytes());
            pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
            poolThreads.Set(ThreadPool.ThreadCount);
            poolQueue.Set(ThreadPool.PendingWorkItemCount);
            poolCompleted.IncTo(ThreadPool.CompletedWorkItemCount);
            contention.IncTo(Monitor.LockContentionCount);
        });
    }

    private static int OpenDescriptors()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
