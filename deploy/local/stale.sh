# Sourced by deploy/local/run.sh and bench/run.sh (needs ROOT): the shell twin of process-support's Freshness.
#
# stale MODULE ARTIFACT: prints why ARTIFACT (a quarkus-run.jar, a classpath.txt) must be rebuilt, or nothing:
# it is missing, or the root pom, or the pom or anything under src/main of MODULE or of a module of this
# repository it depends on (transitively, read from the poms), is newer. A module without src/main (clients, the
# npm workspace whose console the gateway jar holds) counts all its files but build output and node_modules.
stale() {
  local artifact=$2 todo=("$1") seen=" " dirs=() m newer
  [[ -f $artifact ]] || { echo "${artifact#"$ROOT"/} is missing"; return; }
  while ((${#todo[@]})); do
    m=${todo[0]}
    todo=("${todo[@]:1}")
    [[ $seen == *" $m "* || ! -f $ROOT/$m/pom.xml ]] && continue
    seen+="$m "
    dirs+=("$ROOT/$m/pom.xml")
    if [[ -d $ROOT/$m/src/main ]]; then
      dirs+=("$ROOT/$m/src/main")
    else
      dirs+=($(find "$ROOT/$m" -mindepth 1 -maxdepth 1 ! -name target ! -name node_modules ! -name pom.xml))
    fi
    todo+=($(grep -A1 '<groupId>ai.kull.sync</groupId>' "$ROOT/$m/pom.xml" | sed -n 's|.*<artifactId>\(.*\)</artifactId>.*|\1|p'))
  done
  newer=$(find "$ROOT/pom.xml" "${dirs[@]}" \( -name node_modules -o -name dist -o -name generated -o -name target \) -prune \
    -o -newer "$artifact" -print -quit)
  [[ -z $newer ]] || echo "${artifact#"$ROOT"/} is older than ${newer#"$ROOT"/}"
}
