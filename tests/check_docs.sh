#!/usr/bin/env bash
# Holds the man pages (English and Japanese) and the bash completion scripts to the programs:
# every command, sub-command and option that ticsx and ticsx-hub print in their --help (and
# each COMMAND --help) must be in both man pages of its program and be offered by its
# completion; the completion scripts must pass bash -n; the built man pages must be there.
# Run by ctest (tests/docs.cmake): check_docs.sh TICSX TICSX_HUB SOURCE_DIR MAN_BUILD_DIR [SCDOC]
set -uo pipefail

ticsx=$1 hub=$2 src=$3 mandir=$4 scdoc=${5:-}
failures=0
checks=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# The help text of a program, in English whatever the caller's locale; fails the test unless
# it exits 0.
help_of() {
    local out rc
    out=$(env LC_ALL=C LANG=C LANGUAGE= TICSX_HOME=/nonexistent "$@" --help 2>&1)
    rc=$?
    [ "$rc" -eq 0 ] || fail "$* --help exits $rc, not 0"
    printf '%s\n' "$out"
}

# Reads a usage text; prints one line per thing found:
#   cmd NAME            a command (first word of a line of its "commands:" section)
#   sub PATH.. NAME     a sub-command reached by PATH (e.g. "sub trust witness quorum")
#   opt CMD OPTION      an option in a command's synopsis ("-" for the global options)
#   val CMD OPTION V    a value the synopsis lists for an option (--format table|json|...)
# CMD is "*" for an option that a sentence outside the sections gives with its values ("Every
# command takes --log-format text|logfmt|json"): every command must complete it.
# In the "commands:" section a line's synopsis is what comes before its first two blanks; an
# option followed by a word that is neither an option nor "[..." takes that word as its value,
# unless its own token closes a bracket ("[--force]").
parse_usage() {
    awk '
    function syntax(s, newcmd,    rest, i, n, t, j, tok, raw, parts, k, np, chain, afterbar) {
        sub(/^ +/, "", s)
        if (newcmd && match(s, /^[a-z][a-z0-9-]*  +[-[]/)) {
            # "init    --data DIR  ...": the synopsis goes on after the padding (a
            # description there starts with a word: "orgs      organisations enrolled")
            rest = substr(s, RLENGTH)
            s = substr(s, 1, RLENGTH - 1)
            sub(/ +$/, " ", s)
        } else {
            rest = s
            s = ""
        }
        i = index(rest, "  ")
        if (i) rest = substr(rest, 1, i - 1)
        s = s rest
        n = split(s, t, " ")
        j = 1
        chain = 0
        afterbar = 0
        if (newcmd) {
            cmd = t[1]; path = t[1]; barpath = t[1]
            print "cmd", cmd
            j = 2; chain = 1
        }
        for (; j <= n; j++) {
            raw = t[j]; tok = raw; gsub(/[][]/, "", tok)
            if (tok ~ /^--?[a-z]/) {
                sub(/[,;]$/, "", tok)
                print "opt", cmd, tok
                chain = 0; afterbar = 0
                if (raw !~ /\]$/ && j < n && t[j + 1] !~ /^[-[]/) {
                    j++
                    np = split(t[j], parts, "|")
                    if (np > 1) {
                        for (k = 1; k <= np; k++) {
                            gsub(/[][]/, "", parts[k])
                            if (parts[k] ~ /^[a-z0-9]+$/) print "val", cmd, tok, parts[k]
                        }
                    }
                }
                continue
            }
            if (tok == "|") { afterbar = 1; continue }
            if ((chain || afterbar) && tok ~ /^[a-z][a-z0-9|-]*$/) {
                np = split(tok, parts, "|")
                for (k = 1; k <= np; k++) print "sub", (chain ? path : barpath), parts[k]
                if (chain) { barpath = path; path = path " " parts[1] }
                afterbar = 0
                continue
            }
            chain = 0; afterbar = 0
        }
    }
    function prose_values(line, who,    n, t, j, np, parts, k) {
        n = split(line, t, /[ ,;.()]+/)
        for (j = 1; j < n; j++) {
            if (t[j] ~ /^--[a-z][a-z0-9-]*$/ && t[j + 1] ~ /^[a-z0-9]+(\|[a-z0-9]+)+$/) {
                np = split(t[j + 1], parts, "|")
                for (k = 1; k <= np; k++) print "val", who, t[j], parts[k]
                print "opt", who, t[j]
            }
        }
    }
    /^global options/ { sec = "g"; next }
    /^commands:/ { sec = "c"; next }
    /^[^ ]/ { sec = "" }
    sec == "g" {
        n = split($0, t, /[ ,;]+/)
        for (j = 1; j <= n; j++) {
            if (t[j] ~ /^--?[a-z][a-z0-9-]*$/) {
                print "opt", "-", t[j]
                if (t[j + 1] ~ /^[a-z0-9]+(\|[a-z0-9]+)+$/) {
                    np = split(t[j + 1], parts, "|")
                    for (k = 1; k <= np; k++) print "val", "-", t[j], parts[k]
                }
            }
        }
    }
    sec == "c" && /^  [a-z]/ { syntax($0, 1); next }
    sec == "c" && /^ +[[-]/ { syntax($0, 0); next }
    # Prose outside the sections ("Every command takes --log-format text|logfmt|json"): the
    # values hold for every command ("*").
    sec == "" { prose_values($0, "*") }
    '
}

# The options of one command's own help (usage lines and lines that start with an option).
parse_command_help() {
    awk -v cmd="$1" '
    {
        n = split($0, t, /[][ ,;.()]+/)
        for (j = 1; j < n; j++) {
            if (t[j] ~ /^--[a-z][a-z0-9-]*$/ && t[j + 1] ~ /^[a-z0-9]+(\|[a-z0-9]+)+$/) {
                np = split(t[j + 1], parts, "|")
                for (k = 1; k <= np; k++) print "val", cmd, t[j], parts[k]
            }
        }
    }
    /^usage:/ || /^ +\[?--?[a-z]/ {
        n = split($0, t, /[][ ,;|]+/)
        for (j = 1; j <= n; j++) {
            if (t[j] ~ /^--?[a-z][a-z0-9-]*$/) print "opt", cmd, t[j]
            if (/^ +--?[a-z]/ && j > 2) break   # an option line: only its first option(s)
        }
    }'
}

# Every --option or -o anywhere in a text.
all_options() {
    grep -oE -- '(^|[^A-Za-z0-9_-])--?[a-z][a-z0-9-]*' | sed -E 's/^[^-]*//' | sort -u
}

# Completion checks are queued (one line each: script, function, the word expected, then the
# words of the command line, the last one being completed, then "."; separated by \x1f) and
# run in one bash per script by run_completions.
queue=()
sep=$'\x1f'
expect_offered() {
    local what=$1 script=$2 func=$3 IFS=$sep
    shift 3
    queue+=("$script$sep$func$sep$what$sep$*$sep.")
}

# Runs the queued checks of one script in a single bash that sources it, from a directory with
# a few files, and reports each word not offered.
run_completions() {
    local script=$1 out result line what
    out=$(
        cd "$work" || exit 1
        printf '%s\n' "${queue[@]}" | awk -F "$sep" -v s="$script" '$1 == s' |
            bash -c '
            source "$1" || exit 1
            while IFS=$2 read -r -a f; do
                func=${f[1]} what=${f[2]}
                COMP_WORDS=("${f[@]:3:${#f[@]}-4}")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                COMPREPLY=()
                "$func" 2>&1
                found=0
                for w in "${COMPREPLY[@]}"; do [ "$w" = "$what" ] && found=1 && break; done
                echo "$found ${COMPREPLY[*]}|${COMP_WORDS[*]}|$what"
            done' bash "$script" "$sep" 2>&1
    )
    while IFS='|' read -r result line what; do
        checks=$((checks + 1))
        case $result in
        1 | 1\ *) ;;
        *) fail "$(basename "$script"): completing '$line' does not offer $what (offered: ${result#?})" ;;
        esac
    done <<<"$out"
}

# A word stands in a man page's source (in $page_text) as bold text, alone or within a bold
# command path (*trust witness add*, *cert report*|*suspend*). Matched in bash, without a
# process per check.
man_has_command() {
    local re="\\*([a-z-]+ )*$1( [a-z-]+)*\\*"
    [[ $page_text =~ $re ]]
}

man_has_option() {
    [[ $page_text == *"*$1*"* ]]
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
touch "$work/answers.csv" "$work/profile.tx"

for program in ticsx ticsx-hub; do
    if [ "$program" = ticsx ]; then
        bin=$ticsx func=_ticsx
    else
        bin=$hub func=_ticsx_hub
    fi
    comp=$src/completion/$program.bash
    pages=("$src/man/$program.1.scd" "$src/man/ja/$program.1.scd")

    main_help=$(help_of "$bin")
    facts=$(parse_usage <<<"$main_help")
    commands=$(awk '$1 == "cmd" {print $2}' <<<"$facts" | sort -u)
    [ -n "$commands" ] || fail "$program --help: no command found in its usage text"
    texts=$main_help
    for c in $commands; do
        h=$(help_of "$bin" "$c")
        texts+=$'\n'$h
        if [ "$h" != "$main_help" ]; then
            facts+=$'\n'$(parse_command_help "$c" <<<"$h")
        fi
    done

    # bash -n, then the completion function exists once sourced.
    checks=$((checks + 1))
    if ! bash -n "$comp"; then
        fail "bash -n refuses $comp"
        continue
    fi
    checks=$((checks + 1))
    # shellcheck disable=SC1090
    (source "$comp" && declare -F "$func" >/dev/null) || fail "$comp defines no function $func"
    complete_spec=$(bash -c "source '$comp'; complete -p $program" 2>&1)
    checks=$((checks + 1))
    [[ $complete_spec == *"-F $func $program"* ]] || fail "$comp does not register $func for $program: $complete_spec"

    # The man pages: every command and sub-command, every option anywhere in the help texts.
    for page in "${pages[@]}"; do
        if [ ! -f "$page" ]; then
            fail "$page is missing"
            continue
        fi
        page_text=$(<"$page")
        while read -r kind rest; do
            case $kind in
            cmd)
                checks=$((checks + 1))
                man_has_command "$rest" || fail "$page: command $rest missing (as *$rest*)"
                ;;
            sub)
                name=${rest##* }
                checks=$((checks + 1))
                man_has_command "$name" || fail "$page: sub-command ${rest} missing (as *$name*)"
                ;;
            esac
        done <<<"$facts"
        for o in $(all_options <<<"$texts"); do
            checks=$((checks + 1))
            man_has_option "$o" || fail "$page: option $o missing (as *$o*)"
        done
    done

    # The completion: commands, sub-commands, each command's options and listed values.
    while read -r kind a b c; do
        case $kind in
        cmd) expect_offered "$a" "$comp" "$func" "$program" "" ;;
        sub)
            read -r -a path <<<"$a $b $c"
            name=${path[${#path[@]} - 1]}
            unset 'path[${#path[@]}-1]'
            expect_offered "$name" "$comp" "$func" "$program" "${path[@]}" ""
            ;;
        opt)
            if [ "$a" = - ]; then
                expect_offered "$b" "$comp" "$func" "$program" "-"
            elif [ "$a" = "*" ]; then
                for x in $commands; do
                    expect_offered "$b" "$comp" "$func" "$program" "$x" "-"
                done
            else
                expect_offered "$b" "$comp" "$func" "$program" "$a" "-"
            fi
            ;;
        val)
            if [ "$a" = - ]; then
                expect_offered "$c" "$comp" "$func" "$program" "$b" ""
            elif [ "$a" = "*" ]; then
                for x in $commands; do
                    expect_offered "$c" "$comp" "$func" "$program" "$x" "$b" ""
                done
            else
                expect_offered "$c" "$comp" "$func" "$program" "$a" "$b" ""
            fi
            ;;
        esac
    done <<<"$facts"
done

# Files where a file is expected.
expect_offered answers.csv "$src/completion/ticsx.bash" _ticsx ticsx answer REQ --file a
expect_offered profile.tx "$src/completion/ticsx-hub.bash" _ticsx_hub ticsx-hub enroll --data . p
run_completions "$src/completion/ticsx.bash"
run_completions "$src/completion/ticsx-hub.bash"

# The built pages: made by the build when scdoc is found; required on CI.
if [ -n "$scdoc" ] && [ -x "$scdoc" ]; then
    for page in ticsx.1 ticsx-hub.1 ja/ticsx.1 ja/ticsx-hub.1; do
        checks=$((checks + 1))
        if [ ! -s "$mandir/$page" ]; then
            fail "$mandir/$page was not built (build the target man)"
        elif ! grep -qi '^\.TH "ticsx' "$mandir/$page"; then
            fail "$mandir/$page is not a man page (no .TH line)"
        fi
    done
    checks=$((checks + 1))
    ja_page=$(<"$mandir/ja/ticsx.1")
    ja_page=${ja_page//\\:/}
    [[ $ja_page == *回答期限* ]] || fail "$mandir/ja/ticsx.1 holds no Japanese text"
else
    case ${CI:-} in
    '' | false | 0) echo "note: scdoc not found: the built man pages were not checked (Debian package scdoc; script/bootstrap --tests installs it)" ;;
    *) fail "scdoc is missing on CI: run script/bootstrap --tests" ;;
    esac
fi

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
