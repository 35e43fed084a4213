# Sourced by bin/tollgate and bin/test: finds a JDK 25+ and exports JAVA_HOME, or explains and exits.
# shellcheck shell=bash

java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25* \
           /usr/lib/jvm/*25* /opt/java/openjdk /opt/jdk-25* "$HOME"/.sdkman/candidates/java/25* \
           /Library/Java/JavaVirtualMachines/*25*/Contents/Home; do
    [ -x "$d/bin/java" ] && candidates+=("$d/bin/java")
  done
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  local c v
  for c in "${candidates[@]}"; do
    v="$(java_major "$c")"
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

if ! java_bin="$(find_java)"; then
  echo "tollgate: no JDK 25 found. Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  echo "  looked in: \$JAVA_HOME, /usr/lib/jvm/*25*, /opt, ~/.sdkman, and 'java' on the PATH" >&2
  exit 1
fi
JAVA_HOME="$(cd "$(dirname "$java_bin")/.." && pwd)"
export JAVA_HOME

