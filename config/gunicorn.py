"""gunicorn's settings for the `web` process of the Procfile, read from the environment.

PORT or BIND         where to listen (default 127.0.0.1:8000; BIND wins, e.g. 0.0.0.0:8000)
WEB_CONCURRENCY      worker processes (default 2: one per core of a small machine)
WEB_THREADS          threads per worker (default 4)
WEB_TIMEOUT          seconds a request may take before its worker is replaced (default 30)
WEB_GRACEFUL_TIMEOUT seconds to finish requests in flight on a restart (default 30)
WEB_LOG_LEVEL        gunicorn's own log level (default info)
"""

import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))
backlog = int(os.environ.get("WEB_BACKLOG", "512"))
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
# Requests and responses pass through the load balancer, which adds X-Forwarded-*; Django
# decides what to trust (BEHIND_PROXY, TRUSTED_PROXY_COUNT), not gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
