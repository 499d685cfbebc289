import path from 'node:path';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // the shared workspace package is TypeScript source
  transpilePackages: ['@lana/shared'],
  // the npm workspace root (apps/), where the lockfile and node_modules are
  turbopack: { root: path.join(__dirname, '..') },
  poweredByHeader: false,
  // dev/browser-test builds into .next-test, so a running dev/up keeps its own build
  distDir: process.env.NEXT_DIST_DIR || '.next',
};
export default config;
