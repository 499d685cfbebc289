import path from 'node:path';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // the shared workspace package is TypeScript source
  transpilePackages: ['@lana/shared'],
  // the npm workspace root (apps/), where the lockfile and node_modules are
  turbopack: { root: path.join(__dirname, '..') },
  poweredByHeader: false,
};
export default config;
