#!/bin/sh
# Run in the guest as its user (see systemd-health.test.ts): each check prints
# "name<TAB>output" on one line, so that one boot answers them all.
# $1: an image tarball (a busybox root) inside the shared project.
check() { name=$1; shift; printf '%s\t%s\n' "$name" "$("$@" 2>&1 | tr '\n' ' ')"; }
# Until the shell condition $1 holds, or $2 seconds (60).
waitfor() { i=0; while [ $i -lt $((${2:-60} * 2)) ]; do if eval "$1" >/dev/null 2>&1; then return 0; fi; sleep 0.5; i=$((i+1)); done; return 1; }
T=native/tpod
status() { $T ps -a --filter "name=^$1\$" --format '{{.Status}}'; }
# A container's timer and service are ID-SUFFIX.timer and .service, SUFFIX new at each start.
timer() { systemctl --user list-units --all --no-legend --plain "$1-*.timer" | awk '{print $1}' | sed 's/\.timer$//'; }
# What systemd still has of a container's timers and services: how many timers are active, how many units there are.
units() { printf '%s %s' "$(systemctl --user list-units --state=active --no-legend --plain "$1-*.timer" | grep -c .)" "$(systemctl --user list-units --all --no-legend --plain "$1-*.timer" "$1-*.service" | grep -c .)"; }
$T import "$1" bb >/dev/null

# A passing check on a 2 s timer: healthy by itself, then more checks logged; rm -f takes the timer away.
id=$($T run -d --name fine --network none --health-cmd 'echo ok' --health-interval 2s bb sleep 1000 2>/tmp/fine.err)
check fine-stderr cat /tmp/fine.err
check fine-timer systemctl --user is-active "$(timer "$id").timer"
check fine-timer-exec systemctl --user show -p ExecStart --value "$(timer "$id").service"
waitfor "status fine | grep -q '(healthy)'"
check fine-status status fine
sleep 5
check fine-health $T inspect --format '{{json .State.Health}}' fine
$T rm -f fine >/dev/null
check fine-after-rm units "$id"

# A failing check: unhealthy after its retries, with no one running it by hand.
id=$($T run -d --name sick --network none --health-cmd 'exit 2' --health-interval 1s --health-retries 2 bb sleep 1000)
waitfor "status sick | grep -q '(unhealthy)'"
check sick-status status sick
$T rm -f sick >/dev/null
check sick-after-rm units "$id"

# --health-on-failure=restart: a failing check stops the container, conmon's exit command starts it
# again (its command clears what failed the check), with a new timer in place of the old one.
id=$($T run -d --name again --network none --health-cmd 'test ! -e /bad' --health-interval 1s --health-retries 1 --health-on-failure restart bb sh -c 'rm -f /bad; trap "exit 0" TERM; sleep 1000 & wait')
waitfor "status again | grep -q '(healthy)'"
first=$(timer "$id")
$T exec again sh -c '>/bad'
waitfor "$T inspect --format '{{.RestartCount}} {{.State.Health.Status}}' again | grep -q '^1 healthy'" 150
check again-state $T inspect --format '{{.State.Status}} {{.RestartCount}} {{.State.Health.Status}}' again
now=$(timer "$id")
check again-timers echo "$(printf '%s\n' "$now" | grep -c .) $(printf '%s\n' "$now" | grep -c "^$first\$")"
check again-units units "$id"
$T rm -f again >/dev/null
check again-after-rm units "$id"

# A container that ends by itself: conmon's exit command takes the timer away.
id=$($T run -d --name brief --network none --health-cmd true --health-interval 2s bb sleep 3)
waitfor "status brief | grep -q Exited"
sleep 1
check brief-after-exit units "$id"
$T rm brief >/dev/null

# A Quadlet unit with HealthCmd=: its service's container gets the check and its timer.
mkdir -p ~/.config/containers/systemd
printf '[Container]\nImage=localhost/bb\nContainerName=hq\nExec=sleep 1000\nNetwork=none\nHealthCmd=test -d /proc\nHealthInterval=2s\nHealthRetries=1\n' > ~/.config/containers/systemd/hq.container
systemctl --user daemon-reload
check hq-exec systemctl --user show -p ExecStart --value hq.service
check hq-start systemctl --user start hq.service
waitfor "status hq | grep -q '(healthy)'"
check hq-status status hq
check hq-healthcheck $T inspect --format '{{json .Config.Healthcheck}}' hq
id=$($T inspect --format '{{.Id}}' hq)
check hq-timer systemctl --user is-active "$(timer "$id").timer"
systemctl --user stop hq.service
check hq-after-stop units "$id"
