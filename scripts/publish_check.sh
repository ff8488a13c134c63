#!/usr/bin/env bash
# Checks that dash-rs is publishable (issue 12, item 7):
#  1. `cargo package` for every crate an app depends on (plotly-dash and its
#     plotly-dash-* dependencies);
#  2. an app outside the workspace, with README.md's dependency line and
#     README.md's short example as its main.rs, builds from the packaged
#     crates (unpacked, put in place of crates.io by `[patch.crates-io]`, as
#     they would come from the registry) and serves its layout;
#  3. `cargo doc` of those crates with warnings denied.
# The build shares the workspace's target dir and Cargo.lock, so the
# third-party crates are not compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
crates=(plotly-dash-protocol plotly-dash-fetch plotly-dash-cache plotly-dash-components plotly-dash-assets plotly-dash)

step() { printf '\n--> %s\n' "$*"; }

step "cargo package (the .crate files a registry would serve)"
args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
# The packaged sources are built in step 2, the way a dependent app builds them.
cargo package --no-verify --allow-dirty "${args[@]}" 2>&1 | grep -v '^warning: ignoring example' || true
version=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="plotly-dash"))')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/registry" "$work/app/src"
for c in "${crates[@]}"; do
  tar -xzf "target/package/$c-$version.crate" -C "$work/registry"
done

step "an app outside the workspace, with README.md's dependency line and example"
# The dependency line and the example are read from README.md, so the check
# fails when they stop working.
dep_line=$(grep -m1 '^dash = { package = "plotly-dash"' README.md)
python3 - "$root/README.md" "$work/app/src/main.rs" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
section = text.split("## A short example", 1)[1]
code = re.search(r"```rust[^\n]*\n(.*?)```", section, re.S).group(1)
open(sys.argv[2], "w").write(code)
PY
{
  echo '[package]'
  echo 'name = "outside-app"'
  echo 'version = "0.0.0"'
  echo 'edition = "2021"'
  echo 'publish = false'
  echo
  echo '[dependencies]'
  echo "$dep_line"
  echo
  echo '[patch.crates-io]'
  for c in "${crates[@]}"; do
    echo "$c = { path = \"$work/registry/$c-$version\" }"
  done
} > "$work/app/Cargo.toml"
cp Cargo.lock "$work/app/Cargo.lock"
(cd "$work/app" && CARGO_TARGET_DIR="$root/target" cargo build --quiet)
app_bin="$root/target/debug/outside-app"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work" && DASH_CACHE_URL=memory:// HOST=127.0.0.1 PORT=$port RUST_LOG=warn "$app_bin") &
pid=$!
layout=""
for _ in $(seq 1 100); do
  if layout=$(curl -sf "http://127.0.0.1:$port/_dash-layout"); then break; fi
  sleep 0.1
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
case "$layout" in
  *'"id":"in"'*) echo "the outside app served its layout: ${#layout} bytes" ;;
  *) echo "the outside app did not serve its layout (got: ${layout:0:200})" >&2; exit 1 ;;
esac

step "cargo doc, warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps "${args[@]}"
echo "publishable: ${crates[*]}"
