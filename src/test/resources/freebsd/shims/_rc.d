#!/bin/sh
# An rc.d script of the personality (rc.subr(8)'s status wording): NAME runs as the process @PROC@.
name=@NAME@
case $1 in
  status|onestatus)
    pid=$(ps -A -o pid=,comm= | awk -v p=@PROC@ '$2 == p { print $1; exit }')
    if [ -n "$pid" ]; then echo "$name is running as pid $pid."; exit 0; fi
    echo "$name is not running."; exit 1 ;;
  *) echo "$0: the FreeBSD personality answers status and onestatus only" >&2; exit 1 ;;
esac
