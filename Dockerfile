# Meridian in a container: the console and the server built in the SDK image, run in the ASP.NET Core runtime image.
# Not built on the project's machine (it has no container engine); see docs/deploy.md.
#   docker build -t meridian .
#   docker run -d -p 5080:8080 -v meridian-data:/var/lib/meridian meridian

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The console is built by Vite during the build.
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/Meridian.Cli -c Release -o /app -p:DebugType=none

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The database (SQLite by default), the token key and the first admin token live in the volume, owned by the image's
# non-root user 'app'. Set MERIDIAN_DB to a postgres:// URL for a replica of a shared database.
RUN mkdir -p /var/lib/meridian && chown app:app /var/lib/meridian
VOLUME /var/lib/meridian
WORKDIR /var/lib/meridian
USER app
ENV MERIDIAN__URLS=http://0.0.0.0:8080 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/meridian.dll"]
CMD ["serve"]
