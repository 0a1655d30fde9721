#!/usr/bin/env bash
# The Python package: build the abi3 wheel with maturin (manylinux through zig), install it in a
# fresh venv, import it, and run its pytest suite (every vector set, requests and httpx against
# the local exchange for every exchange, the seed threads' snippets). Ends with pytest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${CARGO_TARGET_DIR:-$PWD/target}/python"
rm -rf "$out/wheels" "$out/venv-test"
mkdir -p "$out"

# The build tools live in a venv of their own (maturin, and zig from PyPI's ziglang).
if [ ! -x "$out/venv-build/bin/maturin" ]; then
  python3 -m venv "$out/venv-build"
  "$out/venv-build/bin/pip" install -q "maturin>=1.9,<2" ziglang
fi
start=$(date +%s)
(cd crates/python && PATH="$out/venv-build/bin:$PATH" maturin build --release --zig -o "$out/wheels")
echo "wheel built in $(( $(date +%s) - start )) s: $(ls "$out/wheels")"
wheel=$(ls "$out"/wheels/cexsign-*.whl)
case "$wheel" in
  *-cp39-abi3-*manylinux*) ;;
  *) echo "the wheel is not an abi3 (cp39) manylinux wheel: $wheel"; exit 1 ;;
esac

# A fresh venv takes the wheel as a user would.
run_suite() {
  local python=$1 venv=$2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q "$wheel" "pytest>=7" requests httpx
  "$venv/bin/python" -c "import cexsign; print('import cexsign', cexsign.__version__, 'on', __import__('sys').version.split()[0])"
  # Exit code 5 (nothing collected) is a failure too: `set -e` stops on any non-zero code.
  (cd crates/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider tests)
}
run_suite python3 "$out/venv-test"
# The type stubs say what the runtime has (every scheme's class, every signature).
"$out/venv-test/bin/pip" install -q mypy
(cd "$out" && "$out/venv-test/bin/python" -m mypy.stubtest cexsign)
# The abi3 floor and the newest CPython, where this machine has them (pyenv): the same suite.
tried=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for version in 3.9 3.13; do
  for python in "python$version" "${PYENV_ROOT:-$HOME/.pyenv}/versions/$version".*/bin/"python$version"; do
    if "$python" -c "" > /dev/null 2>&1; then
      rm -rf "$out/venv-$version"
      run_suite "$python" "$out/venv-$version"
      tried="$tried, $version"
      break
    fi
  done
done
echo "Python versions tried: $tried"
