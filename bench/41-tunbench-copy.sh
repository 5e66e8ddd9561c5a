#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tunbench with a receiver that copies every byte (--write /dev/null)
# against iperf3 and iperf, which always copy: see 40-tunbench.sh.
exec bash "$(dirname "$0")/40-tunbench.sh" copy
