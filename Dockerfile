# ImageHub: multi-stage build. The runtime image keeps everything the app writes (SQLite database,
# images, Data Protection key ring when kept in a folder) under /data: mount a volume there.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/ImageHub.Web/ImageHub.Web.csproj -c Release -o /app/publish

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# libvips makes thumbnails; the app works without it and says so once in its log.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libvips-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown app:app /data
WORKDIR /app
COPY --from=build /app/publish .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Storage__Root=/data
VOLUME ["/data"]
EXPOSE 8080
# Liveness: GET /health/live; readiness (the database answers): GET /health/ready.
# The .NET images ship a non-root user named "app".
USER app
ENTRYPOINT ["dotnet", "ImageHub.Web.dll"]
