# Install and package: `cmake --install` puts the binary, the man page and the
# completions in place; `cpack -G DEB` makes a .deb whose Depends name the shared
# libraries, and the binary installed from it (dpkg -x into a scratch root) runs.
# Uses the build folder of the binary under test ($DBTOOL's folder).
source "$(dirname "$0")/lib.sh"

build=$(dirname "$(realpath "$DBTOOL")")
if [ ! -f "$build/CPackConfig.cmake" ] || ! command -v dpkg-deb >/dev/null; then
  echo "skipped: $build has no CPackConfig.cmake, or dpkg-deb is missing"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi

test_case "cmake --install: binary, man page, bash and zsh completions"
prefix="$TEST_TMP/prefix"
if cmake --install "$build" --prefix "$prefix" >"$TEST_TMP/install.log" 2>&1; then pass; else fail "cmake --install failed: $(tail -3 "$TEST_TMP/install.log")"; fi
for file in bin/dbtool share/man/man1/dbtool.1 share/bash-completion/completions/dbtool \
  share/zsh/vendor-completions/_dbtool share/doc/dbtool/README.md; do
  if [ -f "$prefix/$file" ]; then pass; else fail "cmake --install did not install $file"; fi
done
expect_equal "$("$prefix/bin/dbtool" --version)" "$("$DBTOOL" --version)" "installed --version"
if grep -q '^complete -F _dbtool dbtool' "$prefix/share/bash-completion/completions/dbtool"; then pass; else fail "the installed bash completion does not register _dbtool"; fi
if MANWIDTH=80 man -l "$prefix/share/man/man1/dbtool.1" 2>/dev/null | grep -q 'squash'; then pass; else fail "man -l cannot show the installed man page"; fi

test_case "cpack -G DEB: a package with its dependencies declared"
if (cd "$TEST_TMP" && cpack -G DEB -B "$TEST_TMP/package" --config "$build/CPackConfig.cmake") >"$TEST_TMP/cpack.log" 2>&1; then pass; else fail "cpack failed: $(tail -5 "$TEST_TMP/cpack.log")"; fi
deb=$(ls "$TEST_TMP"/package/dbtool_*.deb 2>/dev/null | head -1)
if [ -n "$deb" ]; then pass; else fail "no dbtool_*.deb in $TEST_TMP/package"; fi
depends=$(dpkg-deb -f "$deb" Depends)
for library in libpq5 libsqlite3-0 libssl3 libstdc++6 libc6; do
  if [[ "$depends" == *"$library"* ]]; then pass; else fail "Depends lacks $library: $depends"; fi
done
expect_equal "$(dpkg-deb -f "$deb" Package)" "dbtool" "package name"
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for file in ./usr/bin/dbtool ./usr/share/man/man1/dbtool.1 ./usr/share/bash-completion/completions/dbtool ./usr/share/zsh/vendor-completions/_dbtool; do
  if printf '%s\n' "$contents" | grep -qx "$file"; then pass; else fail "the package lacks $file"; fi
done

test_case "the packaged binary, unpacked into a scratch root, runs a project"
root="$TEST_TMP/root"
dpkg -x "$deb" "$root"
installed="$root/usr/bin/dbtool"
expect_equal "$("$installed" --version)" "$("$DBTOOL" --version)" "packaged --version"
p=$(linear_project packaged 3)
(cd "$p" && "$installed" upgrade head >/dev/null 2>&1)
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r003"
# Every library the binary needs resolves on this machine (what Depends promises).
missing=$(ldd "$installed" | grep -c 'not found' || true)
expect_equal "$missing" "0" "libraries ldd cannot find"
# On Linux libpq is loaded when a PostgreSQL URL is first used (DBTOOL_LAZY_LIBPQ, on by
# default there), so a SQLite run does not start its dependencies; OpenSSL is linked.
linked=$(readelf -d "$installed" | grep NEEDED | grep -c -E 'libpq' || true)
expect_equal "$linked" "0" "libpq among the binary's NEEDED libraries"
linked=$(readelf -d "$installed" | grep NEEDED | grep -c -E 'libcrypto' || true)
expect_equal "$linked" "1" "libcrypto among the binary's NEEDED libraries"

finish
