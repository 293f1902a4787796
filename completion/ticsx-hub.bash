# Bash completion of ticsx-hub: its commands, each command's options, the values of
# --log-level and --log-format, the data directory, the configuration file, the profile to
# enrol and the backup directories. Installed as
# share/bash-completion/completions/ticsx-hub; needs no bash-completion helper.

# The options each command takes (besides --log-format and --help, which all take).
_ticsx_hub_command_opts()
{
    case $1 in
    init) echo "--data --origin" ;;
    run) echo "--data --config --bind --map-size --log-level --workers --commit-wait-us --metrics --metrics-allow-remote --check-first" ;;
    enroll) echo "--data --allow-duplicate-name" ;;
    reenroll) echo "--data --replaces --compromised-from" ;;
    health) echo "--data --hub --timeout" ;;
    backup) echo "--data --with-key --into --keep" ;;
    check) echo "--data" ;;
    esac
}

_ticsx_hub()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="init run enroll reenroll health backup check help"
    local valued=" --data --origin --config --bind --map-size --log-level --log-format --workers
        --commit-wait-us --check-first --metrics --hub --timeout --into --keep --replaces --compromised-from "
    local i cmd="" word nargs=0

    valued=${valued//$'\n'/ }
    COMPREPLY=()
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [ "$cur" = "=" ]; then
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        cur=""
    fi

    # The command, then how many arguments (not options nor their values) follow it.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case "$valued" in
        *" $word "*)
            ((i++))
            continue
            ;;
        esac
        [[ $word == -* ]] && continue
        if [ -z "$cmd" ]; then
            cmd=$word
        else
            ((nargs++))
        fi
    done

    case "$valued" in
    *" $prev "*)
        case $prev in
        --data | --into)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            ;;
        --config)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            ;;
        --log-level) mapfile -t COMPREPLY < <(compgen -W "error warn info debug" -- "$cur") ;;
        --log-format) mapfile -t COMPREPLY < <(compgen -W "text logfmt json" -- "$cur") ;;
        --bind) mapfile -t COMPREPLY < <(compgen -W "tcp://127.0.0.1:7700 tcp://0.0.0.0:7700" -- "$cur") ;;
        --metrics) mapfile -t COMPREPLY < <(compgen -W "127.0.0.1:9464 [::1]:9464" -- "$cur") ;;
        esac
        return 0
        ;;
    esac

    if [ -z "$cmd" ]; then
        if [[ $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "--log-format --help -h" -- "$cur")
        else
            mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        fi
        return 0
    fi
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_ticsx_hub_command_opts "$cmd") --log-format --help -h" -- "$cur")
        return 0
    fi
    # enroll PROFILE: a file; backup OUT: a new directory.
    if [ "$nargs" -eq 0 ]; then
        case $cmd in
        enroll | reenroll)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            ;;
        backup)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur")
            ;;
        esac
    fi
}

complete -F _ticsx_hub ticsx-hub
