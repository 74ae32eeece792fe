
# --- postflight: values picocli's AutoComplete cannot know (appended to its script by bin/dist) ---
# File names for the path options, inventory host and group names for --limit (from the -i file),
# fix names for --approve (from the -c check files); everything else goes to picocli's function.
_postflight_words_after() { # $1 $2 = option names; prints each value given to them so far
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      "$1" | "$2") printf '%s\n' "${COMP_WORDS[i + 1]}" ;;
    esac
  done
}

_postflight_yaml_keys() { # $1 = top-level key (hosts, groups, fixes); the keys one level below
  awk -v top="$1" '
    /^[^[:space:]#]/ { inside = ($0 ~ "^" top ":") ; next }
    inside && /^  [A-Za-z0-9_.@-]+:/ { k = $1; sub(/:$/, "", k); print k }' "${@:2}" 2>/dev/null
}

_postflight() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} files
  case $prev in
    -i | --inventory | --baseline | --window-file | --report | --known-hosts | --ssh-config | \
      --plan-out | --audit | -o | --output)
      type compopt &>/dev/null && compopt -o filenames
      local IFS=$'\n'
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
      ;;
    --limit)
      local inv
      inv=$(_postflight_words_after -i --inventory | tail -n 1)
      inv=${inv/#\~/$HOME}
      [[ -r $inv ]] || return 0
      local names prefix=${cur%,*} last=${cur##*,}
      names=$(_postflight_yaml_keys hosts "$inv"; _postflight_yaml_keys groups "$inv")
      [[ $cur == *,* ]] && prefix="$prefix," || prefix=
      local IFS=$'\n'
      COMPREPLY=($(compgen -P "$prefix" -W "$names" -- "$last"))
      return 0
      ;;
    --approve)
      local checks=() f
      while IFS= read -r f; do
        f=${f/#\~/$HOME}
        [[ -r $f ]] && checks+=("$f")
      done < <(_postflight_words_after -c --checks)
      [[ ${#checks[@]} -gt 0 ]] || return 0
      local prefix=${cur%,*} last=${cur##*,}
      [[ $cur == *,* ]] && prefix="$prefix," || prefix=
      local IFS=$'\n'
      COMPREPLY=($(compgen -P "$prefix" -W "$(_postflight_yaml_keys fixes "${checks[@]}")" -- "$last"))
      return 0
      ;;
  esac
  _complete_postflight "$@"
}

complete -F _postflight -o default postflight
