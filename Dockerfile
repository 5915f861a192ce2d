FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

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
USER chancery

EXPOSE 8000
CMD ["gunicorn", "tracker.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2"]
