import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.TOURNEE_TIMEZONE).toBe('Europe/Paris');
    expect(config.TOURNEE_DATA_DIR).toBe('./.data');
    expect(config.TOURNEE_PUBLIC_ORIGINS).toEqual([]);
  });

  it('parses the CORS allow-list', () => {
    expect(
      loadConfig({ TOURNEE_PUBLIC_ORIGINS: 'https://duret.fr, http://localhost:5173' })
        .TOURNEE_PUBLIC_ORIGINS,
    ).toEqual(['https://duret.fr', 'http://localhost:5173']);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['TOURNEE_TIMEZONE', 'Mars/Olympus'],
    ['TOURNEE_PUBLIC_ORIGINS', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['TOURNEE_ADMIN_TOKEN', 'short'],
  ])('rejects a bad %s with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('stops the start with one clear line', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: '', TOURNEE_DATA_DIR: 'memory://' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PORT/);
  });
});
