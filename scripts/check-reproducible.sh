#!/usr/bin/env bash
# Builds this commit twice, in two fresh clones at different paths, and checks that the program files of the
# mantle command are bit-identical and measure the same: a relying party who rebuilds the commit gets the
# measurement that a policy pins. Ends with one line: "reproducible: N files identical, sim measurement M".
set -euo pipefail
cd "$(dirname "$0")/.."

commit=$(git rev-parse HEAD)
work=$(mktemp -d -t mantle-repro.XXXXXX)
trap 'rm -rf "$work"' EXIT
folders=("$work/a/mantle" "$work/b/some/other/place/checkout")
for folder in "${folders[@]}"; do
  git clone --quiet --no-checkout "$PWD" "$folder"
  git -C "$folder" checkout --quiet "$commit"
  echo "check-reproducible: building $commit in $folder"
  (cd "$folder" && dotnet build src/Mantle.Cli -c Release --nologo -v quiet >"$folder.build.log" 2>&1) \
    || { cat "$folder.build.log"; echo "check-reproducible: the build in $folder failed"; exit 1; }
done

list() { (cd "$1/artifacts/bin/Mantle.Cli/release" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
if ! diff <(list "${folders[0]}") <(list "${folders[1]}") >"$work/diff"; then
  echo "check-reproducible: the two builds differ:"
  cat "$work/diff"
  exit 1
fi

measure() { dotnet "$1/artifacts/bin/Mantle.Cli/release/mantle.dll" measure 2>/dev/null; }
m1=$(measure "${folders[0]}")
m2=$(measure "${folders[1]}")
[ "$m1" = "$m2" ] || { echo "check-reproducible: measurements differ: $m1 / $m2"; exit 1; }
echo "reproducible: $(list "${folders[0]}" | wc -l) files identical, sim measurement $m1"
