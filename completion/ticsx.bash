# Bash completion of ticsx: commands, sub-commands, each command's options, option values
# where they are few (--lang, --format, --criteria...) and files or directories where one is
# expected. Installed as share/bash-completion/completions/ticsx; needs no bash-completion helper.

# The options that take a value (the next word).
_ticsx_valued="--home --hub --hub-key --timeout --lang --name --corporate-number --out --format
    --id --version --title-ja --title-en --questionnaire --to --due --depth --note --count --for
    --file --valid-until --as-of --certificate --reuse --supersedes --until --from --current-days
    --body --scope --holder --number --sector --criteria --issued --expires --date --at --every
    --port --evidence"
# Declared credentials (credential add, answer --credentials): the options that take a value.
_ticsx_valued+=" --scheme --state --standard --last-report --expected --document
    --credentials"
# TICS rules: renewals and the periodic report's grace (cert issue --renews, cert verify --grace).
_ticsx_valued="$_ticsx_valued --renews --grace"
# Public registers (register import): the options that take a value.
_ticsx_valued+=" --list --source"
# Two officers for grants to new buyers (grants settings --two-officers on|off).
_ticsx_valued+=" --two-officers"
# An organisation's people (keygen --member-of, member add): the options that take a value.
_ticsx_valued+=" --member-of --role --key"
# Keys reported lost (key revoke): the options that take a value.
_ticsx_valued+=" --reason --from-index"

# The acceptance policy (policy set, report --policy): its options that take a value.
_ticsx_valued+=" --accept --level --area --overall --within --grace --policy"
# Remediation plans (policy set --plan-days --max-overdue; plan done --date, --evidence above).
_ticsx_valued+=" --plan-days --max-overdue"
# Questionnaire topics (questionnaire import --topics).
_ticsx_valued+=" --topics"

# The global options, which every command also takes after its name (--version only before).
_ticsx_common="--home --hub --hub-key --timeout --lang --json --quiet -q --help -h"

# The options each command takes (besides the common ones).
_ticsx_command_opts()
{
    case $1 in
    keygen) echo "--name --corporate-number --member-of" ;;
    # an organisation's people: member add|list|show|remove
    member) echo "--name --role --key --from --until --date" ;;
    # the organisation key: rotate | revoke (MEMBER | --own)
    key) echo "--own --from --reason --from-index" ;;
    # two officers for grants to new buyers: grants pending|approve|reject|settings
    grants) echo "--two-officers" ;;
    drafts) echo "--note --out --force" ;;
    questionnaire) echo "--out --format --id --version --title-ja --title-en --publish --topics" ;;
    request) echo "--questionnaire --to --due --depth --note --every" ;;
    due) echo "--within --fetch" ;;
    history) echo "--format --out --force --fetch" ;;
    campaign) echo "--dry-run" ;;
    inbox) echo "--all" ;;
    watch) echo "--count --for" ;;
    answer) echo "--check --questionnaire --file --valid-until --as-of --allow-missing --certificate --reuse --supersedes --no-regrant --also-grant-origin --evidence --credentials" ;;
    grant) echo "--to --until" ;;
    revoke) echo "--from" ;;
    forward) echo "--to" ;;
    report) echo "--format --out --force --depth --current-days --policy --questionnaire" ;;
    policy) echo "--accept --level --area --overall --within --grace --verified --sub-suppliers --plan-days --max-overdue --name" ;;
    # remediation plans: plan list|done
    plan) echo "--all --date --evidence" ;;
    accredit) echo "--body --scope --from --until --withdraw --note" ;;
    cert) echo "--holder --number --scope --sector --criteria --issued --expires --date --at --note --renews --grace" ;;
    credential) echo "--scheme --state --number --body --holder --corporate-number --scope --criteria --standard --issued --expires --last-report --expected --renews --document" ;;
    witness) echo "--every --name" ;;
    ui) echo "--port --no-browser" ;;
    # evidence files
    evidence) echo "--out --force" ;;
    register) echo "--list --as-of --source --title-ja --title-en --publish --out --force --at" ;;
    esac
}

# Files (or, with -d, directories) matching the current word, as file names.
_ticsx_files()
{
    compopt -o filenames 2>/dev/null
    if [ "${1:-}" = -d ]; then
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}

_ticsx_words()
{
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

_ticsx()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="keygen whoami orgs ping questionnaire request inbox answer grant revoke watch
        fetch verify report requests forward trust accredit cert credential audit-log witness assessments ui
        help evidence register policy plan due campaign history member drafts grants key"
    local globals="$_ticsx_common --version"
    local i cmd="" cmd_at=0 sub="" word

    local valued=" ${_ticsx_valued//$'\n'/ } "

    COMPREPLY=()
    # --option=value: complete the value of that option (split at "=" or not, as
    # COMP_WORDBREAKS says).
    if [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    elif [ "$cur" = "=" ]; then
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        cur=""
    fi

    # The command is the first word that is neither an option nor an option's value.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
        --home | --hub | --hub-key | --timeout | --lang) ((i++)) ;;
        -*) ;;
        *)
            cmd=$word
            cmd_at=$i
            break
            ;;
        esac
    done
    # The words after the command that are neither options nor their values: its
    # sub-command and arguments.
    local args=()
    if [ -n "$cmd" ]; then
        for ((i = cmd_at + 1; i < COMP_CWORD; i++)); do
            word=${COMP_WORDS[i]}
            case "$valued" in
            *" $word "*) ((i++)) ;;
            *) [[ $word == -* ]] || args+=("$word") ;;
            esac
        done
        sub=${args[0]:-}
    fi

    # Values of options: a finite set, a file, a directory, or nothing to offer.
    case "$valued" in
    *" $prev "*)
        case $prev in
        --home) _ticsx_files -d ;;
        --hub-key | --file | --out | --evidence | --topics) _ticsx_files ;;
        --lang) _ticsx_words "ja en" ;;
        --format)
            if [ "$cmd" = questionnaire ]; then
                _ticsx_words "csv json xlsx"
            elif [ "$cmd" = history ]; then
                _ticsx_words "table json csv"
            else
                _ticsx_words "table json csv html oscal xlsx"
            fi
            ;;
        --criteria) _ticsx_words "2018 2024" ;;
        --scheme) _ticsx_words "tics isms tisax pmark audit" ;;
        --state) _ticsx_words "certified applied under_audit" ;;
        --credentials) _ticsx_words "all none" ;;
        --role) _ticsx_words "viewer responder officer admin" ;;
        --two-officers) _ticsx_words "on off" ;;
        --key | --member-of) _ticsx_files ;;
        --document) _ticsx_files ;;
        --list) _ticsx_words "tics-certified tics-bodies" ;;
        --every) [ "$cmd" = request ] && _ticsx_words "12m 6m 1y 90d" ;;
        --certificate) _ticsx_words "none" ;;
        --scope) [ "$cmd" = accredit ] && _ticsx_words "all" ;;
        --questionnaire) _ticsx_words "tics-selfcheck" ;;
        --policy) _ticsx_words "none" ;;
        --accept)
            # SCHEME:STATUS[,STATUS...]: the schemes with the statuses a policy usually accepts.
            _ticsx_words "tics:valid,listed isms:valid,listed tisax:valid pmark:valid audit:valid"
            ;;
        esac
        return 0
        ;;
    esac

    if [ -z "$cmd" ]; then
        if [[ $cur == -* ]]; then
            _ticsx_words "$globals"
        else
            _ticsx_words "$commands"
        fi
        return
    fi

    if [[ $cur == -* ]]; then
        _ticsx_words "$(_ticsx_command_opts "$cmd") $_ticsx_common"
        return
    fi

    # Sub-commands and positional arguments.
    case $cmd in
    questionnaire)
        case $sub in
        "") _ticsx_words "list show template import main" ;;
        main) _ticsx_words "tics-selfcheck none" ;;
        show | template)
            if [[ $cur == */* || $cur == .* ]]; then
                _ticsx_files
            else
                _ticsx_words "tics-selfcheck"
            fi
            ;;
        import) _ticsx_files ;;
        esac
        ;;
    trust)
        case $sub in
        "") _ticsx_words "add list remove witness" ;;
        add) _ticsx_files ;;
        witness)
            local w=${args[1]:-}
            case $w in
            "") _ticsx_words "add list remove quorum max-age" ;;
            add) _ticsx_files ;;
            esac
            ;;
        esac
        ;;
    cert)
        [ -z "$sub" ] && _ticsx_words "issue report suspend reinstate revoke show verify list history"
        ;;
    credential)
        [ -z "$sub" ] && _ticsx_words "add list show remove"
        ;;
    # evidence files: list|get ASSESSMENT [NAME]
    evidence)
        [ -z "$sub" ] && _ticsx_words "list get"
        ;;
    member)
        [ -z "$sub" ] && _ticsx_words "add list show remove"
        ;;
    # the organisation key: rotate
    key)
        [ -z "$sub" ] && _ticsx_words "rotate revoke accept"
        ;;
    drafts)
        [ -z "$sub" ] && _ticsx_words "list show get approve reject"
        ;;
    grants)
        [ -z "$sub" ] && _ticsx_words "pending approve reject settings"
        ;;
    # public registers
    register)
        case $sub in
        "") _ticsx_words "import list show trust untrust trusted bodies" ;;
        import | trust) _ticsx_files ;;
        show) _ticsx_words "tics-certified tics-bodies" ;;
        esac
        ;;
    plan)
        [ -z "$sub" ] && _ticsx_words "list done"
        ;;
    campaign)
        [ -z "$sub" ] && _ticsx_words "list show run stop"
        ;;
    policy)
        case $sub in
        "") _ticsx_words "set show list use" ;;
        set) _ticsx_files ;;
        use) _ticsx_words "none" ;;
        esac
        ;;
    esac
}

complete -F _ticsx ticsx
