#!/bin/bash
# usage: ab2.sh tag ... : for each tag T, restart history (hT.jar) and sync (sT.jar), warm up, measure
for t in "$@"; do
  /tmp/lat/hist.sh /tmp/lat/h$t.jar > /dev/null
  /tmp/lat/sync.sh /tmp/lat/s$t.jar > /dev/null
  cd /tmp/lat
  java -cp . Load 16 16 90 > /dev/null 2>&1
  java -cp . Load 16 1 45 > /dev/null 2>&1
  for case in "16 1 30" "16 16 30" "1 1 20"; do
    redis-cli config resetstat > /dev/null
    (java -cp . Load $case > /tmp/lat/o 2>&1 &) ; sleep 3
    cpu=$(/tmp/lat/cpu.sh $(( ${case##* } - 6 )) 2>/dev/null | head -1)
    sleep 5
    n=$(tail -1 /tmp/lat/o | awk '{print $2}')
    rus=$(redis-cli info commandstats | awk -F'[=,]' '/evalsha/ {print $4}')
    echo "$t [$case] $(tail -1 /tmp/lat/o) | redis us/send $(( rus / (n>0?n:1) )) | $cpu"
  done
done
