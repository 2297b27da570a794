import { defineConfig } from "vite";

// The console is built into the server's wwwroot; `dotnet build` runs this when the sources changed.
export default defineConfig({
  base: "/",
  build: { outDir: "../src/Meridian.Server/wwwroot", emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { "/api": "http://127.0.0.1:5080" } },
});
