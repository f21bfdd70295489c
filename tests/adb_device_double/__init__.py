"""ADB DEVICE DOUBLE: a stand-in for an Android phone that speaks the device side of the real
ADB wire protocol on a loopback TCP port. For tests only; product code never imports it.

protocol.py (packets, auth keys), streams.py (flow control), services.py (shell, exec, sync),
sandbox.py (the private device file tree and its package/activity managers), device.py (the TCP
server and its fault switches); `python -m tests.adb_device_double --help` runs one by hand.
"""
