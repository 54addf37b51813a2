# One image for the gateway and the three subgraphs; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LT_DATA_DIR=/var/lib/lienthong
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY subgraphs ./subgraphs
COPY policies ./policies
COPY schema.graphql ./
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/lienthong lienthong \
    && mkdir -p /var/lib/lienthong && chown lienthong /var/lib/lienthong
USER lienthong
EXPOSE 4000 4001 4002 4003
CMD ["python", "-m", "gateway", "serve"]
