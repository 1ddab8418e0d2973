"""Real S3 servers that nobody here wrote, started and stopped by the harness itself (``--target rgw`` /
``--target seaweedfs``): each on 127.0.0.1 only, on ports chosen free, readiness checked, logs kept under the report
directory, and every process ended by its PID when the run ends (also on Ctrl-C: the session's ExitStack closes them
in the ``finally`` that KeyboardInterrupt reaches, and each child gets PR_SET_PDEATHSIG so that even a SIGKILLed
harness leaves no daemon behind).

``process.py``  one owned child process (Popen, log file, SIGTERM then SIGKILL by PID, bounded waits);
``ports.py``    free loopback ports (optionally with port+10000 free too, for SeaweedFS's gRPC ports);
``rgw.py``      Ceph RGW: a one-host cluster (one monitor, one memstore OSD, radosgw/beast);
``seaweedfs.py`` SeaweedFS ``weed mini`` with telemetry off.
"""
