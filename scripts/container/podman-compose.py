#!/usr/bin/python3
"""Debian 12's podman-compose (1.0.3), with one bug of that release worked around.

It joins every service to the project's default network even when the service sets
`network_mode` (podman then refuses: "cannot set multiple networks without bridge network
mode"); later podman-compose releases leave such services alone, and so does this wrapper.
Usage is podman-compose's own: scripts/container/podman-compose.py -f FILE up -d ...
"""
import podman_compose

_net_args = podman_compose.get_net_args
_assert_nets = podman_compose.assert_cnt_nets


def get_net_args(compose, cnt):
    return [] if cnt.get("network_mode") else _net_args(compose, cnt)


def assert_cnt_nets(compose, cnt):
    if not cnt.get("network_mode"):
        _assert_nets(compose, cnt)


podman_compose.get_net_args = get_net_args
podman_compose.assert_cnt_nets = assert_cnt_nets
podman_compose.main()
