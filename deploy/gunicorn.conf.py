"""gunicorn for the web container: ``gunicorn -c deploy/gunicorn.conf.py seu.wsgi``.

Every value can be changed from the environment (``GUNICORN_*``) without rebuilding the image.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Threads, because a request often waits on the database or the PDF renderer's process pool; and
# gunicorn's recommended 2 x cores + 1 processes, because pages are mostly Python work and one
# process's threads share one interpreter lock (measured on two cores with bench/cites.py, 20
# clients: 2 workers x 10 threads served 53 requests/s with a booking p95 of 1.6 s, 5 x 4 served 85
# with 0.45 s). Two threads, not more: the registry's submissions queue on the book's lock, and the
# one holding it should not share its interpreter with three others (bench/registry.py, 20
# submitters: p95 0.85-0.9 s with 5 x 2, 1.3-1.5 s with 5 x 4, the same throughput). Each worker
# process starts its own small renderer pool on first use.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A worker takes no more connections than it has threads: the rest wait in the kernel's accept
# queue, first come first served, for whichever worker frees a thread first. With gunicorn's
# default (1,000) one worker could hold eight requests sharing its interpreter lock while another
# idled: at 20 concurrent registry submissions the p95 was three times the median. (Change the
# threads with GUNICORN_THREADS: a --threads on the command line would leave this value behind.)
worker_connections = threads

# Settings and the seal are loaded once, in the master, before any worker forks: a missing seal
# file or a wrong password stops the server at start-up with a message naming the setting.
preload_app = True

# A registry submission renders and seals its receipt inside the request (art. 33.f); the renderer
# gives up after PDF_RENDER_TIMEOUT_SECONDS (30 s), so 60 s is never reached by a healthy request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Only nginx reaches gunicorn, and it opens a connection per request (no upstream keepalive): a
# kept-alive connection would only hold one of the worker's places.
keepalive = 0
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# The heartbeat file on memory, not on the container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Only nginx reaches gunicorn. Its X-Forwarded-Proto is believed from the same addresses as in
# Django (TRUSTED_PROXIES); Django itself reads the header through SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1")

# The Client-Cert header carries a whole certificate (up to about 5 KB as nginx builds it).
limit_request_field_size = 8190

# Nobody drives gunicorn at run time; the control socket would only be one more way in.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
# The client's address as nginx saw it (X-Real-IP), and the time spent in gunicorn (microseconds).
access_log_format = '%({x-real-ip}i)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'


def post_worker_init(worker: object) -> None:
    """Start this worker's PDF renderers at once: a registry submission renders its receipt
    inside the request, and the first one would otherwise wait for WeasyPrint to load."""
    from documents import rendering

    rendering.warm_up()
