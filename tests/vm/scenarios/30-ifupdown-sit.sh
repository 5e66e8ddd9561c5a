# SPDX-License-Identifier: GPL-2.0-or-later
# The ifupdown hook on a kernel with sit: Debian's real ifup/ifdown bring
# the v6kit-ifupdown(5) example up as a kernel sit tunnel and take it down.
# Router a runs ifup with the hook installed in the four if-*.d
# directories and the tools on ifupdown's fixed PATH (/usr/local/sbin);
# broker b is the tunnel's far end.
#
#   a (192.0.2.1, he0 2001:db8:470::2)  --v4a/v4b--  b (192.0.2.2, he0 2001:db8:470::1)
# vm-needs: ifup ifdown
# vm-files: scripts/ifupdown/v6kit
# shellcheck shell=sh

if ! have_tool tun6in4; then
	skip "ifupdown brings up a sit tunnel" "tun6in4 not built"
	exit 0
fi
if ! have_prog ifup || ! have_prog ifdown; then
	skip "ifupdown brings up a sit tunnel" "ifupdown not installed on the host"
	exit 0
fi

HOOK=/v6kit/files/scripts/ifupdown/v6kit
for d in if-pre-up.d if-up.d if-down.d if-post-down.d; do
	mkdir -p "/etc/network/$d"
	cp "$HOOK" "/etc/network/$d/v6kit"
	chmod 755 "/etc/network/$d/v6kit"
done
mkdir -p /usr/local/sbin /tmp/ifstate
for t in tun6in4 srcroute ndproxy; do
	if have_tool "$t"; then ln -sf "$V6KIT_BIN/$t" "/usr/local/sbin/$t"; fi
done
with_srcroute=no
if have_tool srcroute; then
	with_srcroute=yes
fi

cat >/etc/network/interfaces <<EOF
auto he0
iface he0 inet6 manual
    tun6in4-remote 192.0.2.2
    tun6in4-local 192.0.2.1
    tun6in4-address 2001:db8:470::2/64
    tun6in4-gateway 2001:db8:470::1
    tun6in4-mode kernel
    tun6in4-table 100
EOF
if [ "$with_srcroute" = yes ]; then
	echo "    srcroute-from 2001:db8:470::2" >>/etc/network/interfaces
fi

vm_pair
check "broker: sit tunnel up" tool tun6in4 -n b up he0 remote 192.0.2.1 local 192.0.2.2 \
	address 2001:db8:470::1/64 mode kernel

snapshot() {
	{
		ip -n a -o link | sed 's/ qlen [0-9]*//'
		ip -n a -6 route show table all
		ip -n a -6 rule
	} 2>&1
}
before=$(snapshot)

check "ifup he0 through the hook" in_ns a ifup -i /etc/network/interfaces --state-dir /tmp/ifstate he0
check_eq "the tunnel is a kernel sit link" "sit" \
	"$(ip -n a -d -j link show he0 | jq -r '.[0].linkinfo.info_kind')"
check_eq "the stanza's keys made the conf file" "remote 192.0.2.2" \
	"$(grep '^remote ' /run/v6kit/ifupdown/he0.conf)"
check "IPv6 ping through the sit tunnel" in_ns a ping -c 2 -W 5 2001:db8:470::1
check_eq "table 100 got the default route through he0" "1" \
	"$(ip -n a -6 route show table 100 | grep -c '^default via 2001:db8:470::1 dev he0')"
if [ "$with_srcroute" = yes ]; then
	check "srcroute-from: replies from the tunnel address leave through it" \
		in_ns a ping -c 2 -W 5 -I 2001:db8:470::2 2001:db8:470::1
else
	skip "srcroute-from on the stock kernel" "needs srcroute owner scopes"
fi

check "ifdown he0 through the hook" in_ns a ifdown -i /etc/network/interfaces --state-dir /tmp/ifstate he0
check "the sit link is gone" sh -c '! /usr/bin/ip -n a link show dev he0 2>/dev/null'
check_eq "nothing left in the hook's run dir" "" "$(ls /run/v6kit/ifupdown 2>/dev/null)"
check_eq "routes, rules and links as before ifup" "$before" "$(snapshot)"
check "ifdown --force again is harmless" in_ns a ifdown --force -i /etc/network/interfaces \
	--state-dir /tmp/ifstate he0
exit 0
