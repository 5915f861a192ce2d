# Chancery's web server: gunicorn on Debian bookworm's Python 3.11.
# The base is built from Debian's packages by deploy/base-image (no registry needed);
# where Docker Hub is reachable, --build-arg BASE_IMAGE=debian:bookworm-slim does as well.
ARG BASE_IMAGE=chancery-base:bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH

RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3 -m venv /opt/venv

WORKDIR /app

# Dependencies first, so that a code change reuses this layer.
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY . .

# The key only lets settings load for collectstatic (DEBUG=0 refuses to start without one);
# it is not kept in the image: the container gets SECRET_KEY from its environment.
RUN SECRET_KEY=build-only-throw-away DEBUG=0 python manage.py collectstatic --noinput

# The code stays owned by root: the app user can read it but not change it.
RUN useradd --system --no-create-home --shell /usr/sbin/nologin chancery
# Releases are the one thing the app writes to disk (docs/releases.md): a volume mounted here starts as this
# directory, owned by the app user.
RUN mkdir -p /app/releases && chown chancery /app/releases
ENV CHANCERY_RELEASES_DIR=/app/releases
USER chancery
# gunicorn's control socket (for gunicornc) would go in a home the app user has not got.
ENV GUNICORN_CMD_ARGS=--no-control-socket

EXPOSE 8000
# The worker class and count: deploy/gunicorn.conf.py (GUNICORN_WORKERS, GUNICORN_WORKER_CLASS...).
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "tracker.wsgi", "--bind", "0.0.0.0:8000"]
