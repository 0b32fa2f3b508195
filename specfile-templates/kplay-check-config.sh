#!/bin/bash
# kplay-check-config.sh REQUESTED FINAL
# Fails (exit 1) listing every value REQUESTED asked for that FINAL (a .config after olddefconfig)
# does not have. Written by kplay; runs in %prep so a lost option stops the build at once.
set -u
requested=$1 final=$2
lost=0
while IFS= read -r line; do
  case $line in
    CONFIG_*=*) sym=${line%%=*}; want=${line#*=} ;;
    "# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; want=n ;;
    *) continue ;;
  esac
  got=$(grep -E "^$sym=|^# $sym is not set\$" "$final" | tail -n 1)
  case $got in
    "$sym="*) got=${got#*=} ;;
    "") got="(absent: unmet dependency or not in this kernel)" ;;
    *) got=n ;;
  esac
  if [ "$want" = n ] && [ "$got" = "(absent: unmet dependency or not in this kernel)" ]; then continue; fi
  if [ "$got" != "$want" ]; then
    echo "kplay: $sym: requested $want, got $got" >&2
    lost=$((lost + 1))
  fi
done < "$requested"
if [ "$lost" -gt 0 ]; then
  echo "kplay: $lost requested config value(s) did not survive olddefconfig; run 'kplay compose' with --kernel-source to see why" >&2
  exit 1
fi
echo "kplay: every requested config value survived olddefconfig"
