# Bench twin of dockerfiles/snsw/Dockerfile without its hidden waste: the apt lists are removed in
# the layer that downloads them (everything else unchanged, so the size difference is what that
# waste really costs).
ARG BASE_IMAGE=dockopt/python:3.11-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1
ENV PIP_NO_CACHE_DIR=1

# Build tools for the C extension and compiled dependencies
RUN apt-get update && apt-get install -y build-essential cmake git python3-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY pyproject.toml README.md setup.py ./
COPY src/ ./src/
RUN pip install --no-cache-dir -U pip setuptools wheel && \
    pip install --no-cache-dir .

COPY . .

CMD ["python", "src/kaggle/run_inference.py", "--serve"]
