/**
 * Pulling from a real registry (Debian's docker-registry on loopback) into
 * the store, and the image commands, run as a user would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import {
  OWNERS_SCRIPT,
  OWNERS_SEEN,
  beyondRangeImage,
  busyboxImage,
  busyboxLayer,
  hostileLayers,
  largeImage,
  multiArchIndex,
  multiLayerImage,
  ownersImage,
} from '../registry/images.js';
import { tar } from '../registry/tar-writer.js';
import { Sandbox, TPOD, inImage, runAsync, storedIds, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');
const insecure = '--tls-verify=false';
let repoCount = 0;
const hasPodman = spawnSync('sh', ['-c', 'command -v podman']).status === 0;
const repo = (what: string) => `tpod-test/${what}-${process.pid}-${repoCount++}`;

function layerCount(box: Sandbox): number {
  const dir = join(box.env.XDG_DATA_HOME!, 'tpod/layers');
  return existsSync(dir) ? readdirSync(dir).length : 0;
}

describe.skipIf(skip)(`images${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  beforeAll(() => {
    box = new Sandbox();
  });
  afterAll(() => box.destroy());

  it('pulls a multi-layer image with whiteouts and an opaque directory, and the layers stack as they should', async () => {
    const image = multiLayerImage();
    const path = repo('multi');
    await image.push(registries!.open, path, '1');
    const name = `${registries!.open}/${path}:1`;
    const r = box.run(['pull', insecure, name]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${image.configDigest.replace('sha256:', '')}\n`);
    expect(r.stderr).toContain(`Trying to pull ${name}...`);
    expect(r.stderr).toContain('Writing manifest to image destination');
    expect(r.stderr).not.toContain('\x1b[');
    const seen = inImage(box, name, 'cat data/keep data/changed; ls -A data; ls -A opaque');
    expect(seen.stderr).toBe('');
    expect(seen.stdout).toBe('keep\nv2\nchanged\nkeep\nnew\n');
    // The same layers read by fuse-overlayfs, tpod's fallback where the kernel overlay cannot be used.
    const fuse = inImage(box, name, 'cat data/keep data/changed; ls -A data; ls -A opaque', 'fuse-overlayfs');
    // Debian's fuse-overlayfs 1.10 warns about an option it is always given.
    expect(fuse.stderr.replace('unknown argument ignored: lazytime\n', '')).toBe('');
    expect(fuse.stdout).toBe('keep\nv2\nchanged\nkeep\nnew\n');
  });

  it('shows per-layer progress with sizes on a terminal, and only the id with --quiet', async () => {
    const image = largeImage(8, { layers: 2 });
    const path = repo('tty');
    await image.push(registries!.open, path, 'latest');
    const name = `${registries!.open}/${path}:latest`;
    // script(1) gives tpod a real terminal for stdout and stderr.
    const r = spawnSync('script', ['-qec', `${TPOD} pull ${insecure} ${name}`, '/dev/null'], { env: box.env, encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('\x1b[');
    expect(r.stdout).toMatch(/Copying blob \w{12} done +[\d.]+ MB/);
    expect(r.stdout).toContain(image.configDigest.slice(7));
    box.run(['rmi', name]);
    const quiet = spawnSync('script', ['-qec', `${TPOD} pull -q ${insecure} ${name}`, '/dev/null'], { env: box.env, encoding: 'utf8' });
    expect(quiet.stdout.trim()).toBe(image.configDigest.slice(7));
  });

  it('lists, names and inspects images as podman does', async () => {
    const image = busyboxImage();
    const path = repo('list');
    await image.push(registries!.open, path, 'v1');
    const name = `${registries!.open}/${path}:v1`;
    expect(box.run(['pull', '-q', insecure, name]).stdout).toBe(`${image.configDigest.slice(7)}\n`);
    const id = image.configDigest.slice(7, 19);

    const table = box.run(['images']);
    expect(table.stdout.split('\n')[0]).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
    expect(table.stdout).toMatch(new RegExp(`\\n${registries!.open}/${path} +v1 +${id} +\\S.* +[\\d.]+ [kM]B\\n`));
    expect(box.run(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).stdout).toContain(`${name} ${id}\n`);
    expect(box.run(['images', '-q']).stdout.split('\n')).toContain(id);
    expect(box.run(['images', '--digests']).stdout).toMatch(new RegExp(`\\n${registries!.open}/${path} +v1 +${image.digest} +${id} `));

    expect(box.run(['tag', name, 'mine', 'other/thing:2']).code).toBe(0);
    const json = JSON.parse(box.run(['images', '--format', 'json']).stdout) as { Id: string; RepoTags: string[]; RepoDigests: string[] }[];
    const entry = json.find((e) => e.Id === image.configDigest.slice(7))!;
    expect(entry.RepoTags.sort()).toEqual(['localhost/mine:latest', 'localhost/other/thing:2', name].sort());
    expect(entry.RepoDigests).toContain(`${registries!.open}/${path}@${image.digest}`);

    const inspect = JSON.parse(box.run(['image', 'inspect', 'mine']).stdout);
    expect(inspect).toHaveLength(1);
    expect(inspect[0]).toMatchObject({ Id: image.configDigest.slice(7), Digest: image.digest, Os: 'linux', RootFS: { Type: 'layers', Layers: image.diffIds } });

    expect(box.run(['untag', 'mine', 'mine']).code).toBe(0);
    expect(box.run(['image', 'inspect', 'mine']).code).toBe(125);
    expect(box.run(['image', 'inspect', 'mine']).stderr).toBe('Error: mine: image not known\n');
  });

  it('picks this host\'s image from an index, or the one asked for, from OCI indexes and Docker lists', async () => {
    for (const format of ['oci', 'docker'] as const) {
      const index = multiArchIndex({ format });
      const path = repo(`multiarch-${format}`);
      await index.push(registries!.open, path, 'latest');
      const name = `${registries!.open}/${path}:latest`;
      expect(box.run(['pull', '-q', insecure, name]).code).toBe(0);
      expect(inImage(box, name, 'cat arch').stdout).toBe('amd64\n');
      const arm = box.run(['pull', '-q', insecure, '--arch', 'arm64', name]);
      expect(arm.code, arm.stderr).toBe(0);
      expect(inImage(box, name, 'cat arch').stdout).toBe('arm64\n');
      const none = box.run(['pull', insecure, '--arch', 's390x', name]);
      expect(none.code).toBe(125);
      expect(none.stderr).toMatch(/no image for linux\/s390x \(the registry has linux\/amd64, linux\/arm64\/v8\)\n$/);
    }
  });

  it('pulls by digest, Docker schema 2 and uncompressed layers, and does not fetch a stored layer again', async () => {
    const image = busyboxImage({ format: 'docker', compression: 'none' });
    const path = repo('digest');
    await image.push(registries!.open, path, 'latest');
    const byDigest = box.run(['pull', insecure, `${registries!.open}/${path}@${image.digest}`]);
    expect(byDigest.code, byDigest.stderr).toBe(0);
    const again = box.run(['pull', insecure, `${registries!.open}/${path}:latest`]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Copying blob \w{12} skipped: already exists/);
    expect(again.stderr).not.toMatch(/Copying blob \w{12} done/);
  });

  it('gives files their owners through the subordinate range, keeping setuid and setgid', async () => {
    const image = ownersImage();
    const path = repo('owners');
    await image.push(registries!.open, path, 'latest');
    const name = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', insecure, name]).code).toBe(0);
    const r = inImage(box, name, OWNERS_SCRIPT);
    expect(r.stdout).toBe(OWNERS_SEEN);
  });

  it('keeps every hostile layer inside its own directory', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'tpod-outside-'));
    writeFileSync(join(outside, 'tpod-escape-target'), 'untouched\n');
    const passwd = readFileSync('/etc/passwd', 'utf8');
    for (const [what, image] of Object.entries(hostileLayers(outside))) {
      const path = repo(`hostile-${what}`);
      await image.push(registries!.open, path, 'latest');
      const r = box.run(['pull', '-q', insecure, `${registries!.open}/${path}:latest`]);
      // Refusing the layer and extracting it harmlessly are both fine; a trace is not.
      expect(r.stderr, what).not.toContain('    at ');
      expect(readdirSync(outside), what).toEqual(['tpod-escape-target']);
      expect(readFileSync(join(outside, 'tpod-escape-target'), 'utf8'), what).toBe('untouched\n');
      const store = join(box.env.XDG_DATA_HOME!, 'tpod');
      const found = box.run(['unshare', 'sh', '-c', `find "${store}" "${store}/.." -maxdepth 3 -name 'tpod-escape-*' | grep -v '/layers/' || true`]);
      expect(found.stdout, what).toBe('');
    }
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(passwd);
  });

  it('names the uid, the path and the fix for an owner beyond the range, and keeps nothing of that image', async () => {
    const image = beyondRangeImage();
    const path = repo('beyond');
    await image.push(registries!.open, path, 'latest');
    const layersBefore = layerCount(box);
    const r = box.run(['pull', '-q', insecure, `${registries!.open}/${path}:latest`]);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^Error: layer sha256:\w+: \/data\/beyond belongs to uid 70000, gid 70000, beyond the \d+ ids your user namespace maps: give your user a larger range in \/etc\/subuid .*usermod --add-subuids.*\n$/);
    expect(storedIds(box)).not.toContain(image.configDigest.slice(7));
    // The busybox layer it shares is already stored; the failed one was not kept.
    expect(layerCount(box)).toBe(layersBefore);
    expect(readdirSync(join(box.env.XDG_DATA_HOME!, 'tpod/tmp'))).toEqual([]);
  });

  it('removes images by name and by id as podman does', async () => {
    const image = busyboxImage();
    const path = repo('rmi');
    await image.push(registries!.open, path, 'latest');
    const name = `${registries!.open}/${path}:latest`;
    box.run(['pull', '-q', insecure, name]);
    box.run(['tag', name, 'second']);
    const id = image.configDigest.slice(7);

    expect(box.run(['rmi', 'second']).stdout).toBe('Untagged: localhost/second:latest\n');
    box.run(['tag', name, 'second']);
    const refused = box.run(['rmi', id.slice(0, 12)]);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/has several names .*: remove it by name, or use --force\n$/);
    const forced = box.run(['rmi', '-f', id.slice(0, 12)]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`Deleted: ${id}\n`);
    expect(box.run(['image', 'inspect', id]).code).toBe(125);

    const missing = box.run(['rmi', 'no-such-image']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: no-such-image: image not known\n');
  });

  it('imports a root filesystem tarball with config changes, and prunes the image once it has no name', () => {
    const rootfs = gzipSync(tar([...busyboxLayer(), { name: 'etc/imported', data: 'from a tarball\n', uid: 1000, gid: 1000 }]));
    // Each --change takes one value: the source and the name after it stay positionals.
    const r = box.run(['import', '-m', 'by a test', '--change', 'CMD ["/bin/sh", "-c", "cat /etc/imported"]', '--change', 'ENV GREETING=hello', '-', 'imported:1'], { input: rootfs });
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^sha256:[a-f0-9]{64}$/);
    const [inspect] = JSON.parse(box.run(['image', 'inspect', 'imported:1']).stdout);
    expect(inspect.Id).toBe(id.slice(7));
    expect(inspect.RepoTags).toEqual(['localhost/imported:1']);
    expect(inspect.Config.Cmd).toEqual(['/bin/sh', '-c', 'cat /etc/imported']);
    expect(inspect.Config.Env).toEqual(['GREETING=hello']);
    expect(inspect.History[0].comment).toBe('by a test');
    expect(inImage(box, 'imported:1', 'cat etc/imported; stat -c %u etc/imported').stdout).toBe('from a tarball\n1000\n');

    const bad = box.run(['import', '--change', 'FROM scratch', '-'], { input: rootfs });
    expect(bad.code).toBe(125);
    expect(bad.stderr).toBe('Error: --change FROM: not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR\n');

    const kept = box.run(['import', '--change', 'USER 1000', '-', 'kept:1'], { input: rootfs });
    expect(kept.code, kept.stderr).toBe(0);
    box.run(['untag', 'imported:1']);
    const prune = box.run(['image', 'prune', '--force']);
    expect(prune.code, prune.stderr).toBe(0);
    // Other tests leave images whose names moved on: those go too, and only those.
    expect(prune.stdout.split('\n')).toContain(id.slice(7));
    expect(prune.stdout).not.toContain(kept.stdout.trim().slice(7));
    expect(box.run(['images', '--format', '{{.Repository}}']).stdout).not.toContain('<none>');
    expect(box.run(['image', 'inspect', '--format', '{{.Id}}', 'kept:1']).stdout).toBe(`${kept.stdout.trim().slice(7)}\n`);
    expect(box.run(['image', 'inspect', id.slice(7)]).code).toBe(125);
  });

  it('survives a pull killed at any moment, and two pulls of one image at once', async () => {
    const image = largeImage(24);
    const path = repo('large');
    await image.push(registries!.open, path, 'latest');
    const name = `${registries!.open}/${path}:latest`;
    const tmp = join(box.env.XDG_DATA_HOME!, 'tpod/tmp');
    const store = join(box.env.XDG_DATA_HOME!, 'tpod');
    let killedMidway = false;
    for (const delay of [0, 60, 200, 500]) {
      const child = box.start(['pull', insecure, name]);
      const done = runAsync(child);
      // Once a download is under way (a staging directory exists), then a little later.
      for (let i = 0; i < 500 && !(existsSync(tmp) && readdirSync(tmp).length > 0); i++) await new Promise((ok) => setTimeout(ok, 5));
      await new Promise((ok) => setTimeout(ok, delay));
      child.kill('SIGKILL');
      await done;
      killedMidway ||= readdirSync(tmp).length > 0;
      // Whatever is where readers look is whole: every layer with its record, every image with its.
      for (const layer of readdirSync(join(store, 'layers'))) expect(existsSync(join(store, 'layers', layer, 'layer.json')), layer).toBe(true);
      for (const id of readdirSync(join(store, 'images'))) expect(existsSync(join(store, 'images', id, 'image.json')), id).toBe(true);
      // A pull that got to the end before the kill: start over, so the next one is killed on the way.
      if (storedIds(box).includes(image.configDigest.slice(7))) box.run(['rmi', name]);
    }
    // At least one kill hit a pull on its way: it left its staging behind, which the next pull clears.
    expect(killedMidway).toBe(true);
    const both = await Promise.all([runAsync(box.start(['pull', '-q', insecure, name])), runAsync(box.start(['pull', '-q', insecure, name]))]);
    for (const r of both) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${image.configDigest.slice(7)}\n`);
    }
    expect(readdirSync(tmp)).toEqual([]);
    const sizes = inImage(box, name, 'ls large | wc -l');
    expect(sizes.stdout.trim()).toBe('4');
    const layers = JSON.parse(box.run(['image', 'inspect', name]).stdout)[0].RootFS.Layers as string[];
    for (const layer of layers) expect(existsSync(join(box.env.XDG_DATA_HOME!, 'tpod/layers', layer.slice(7), 'layer.json'))).toBe(true);
  });
});

describe.skipIf(skip)(`registry authentication${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  beforeAll(() => {
    box = new Sandbox();
  });
  afterAll(() => box.destroy());

  it('pushes a pulled image to another registry with the same digests, and it pulls back from there', async () => {
    const image = multiLayerImage({ format: 'docker' });
    const path = repo('push-src');
    await image.push(registries!.open, path, 'latest');
    const source = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', insecure, source]).code).toBe(0);

    const host = registries!.basic;
    const target = `${host}/${repo('pushed')}:v2`;
    box.run(['login', insecure, '-u', registries!.username, '--password-stdin', host], { input: registries!.password });
    const digestFile = join(box.dir, 'digest');
    const pushed = box.run(['push', insecure, '--digestfile', digestFile, source, target]);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain('Writing manifest to image destination');
    expect(readFileSync(digestFile, 'utf8')).toBe(image.digest);
    // Again: every blob is there already.
    const again = box.run(['push', insecure, source, target]);
    expect(again.stderr).not.toMatch(/Copying blob \w{12} done/);

    const other = new Sandbox({ REGISTRY_AUTH_FILE: join(box.env.XDG_RUNTIME_DIR!, 'containers/auth.json') });
    try {
      const back = other.run(['pull', '-q', insecure, target]);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toBe(`${image.configDigest.slice(7)}\n`);
      expect(inImage(other, target, 'cat data/changed').stdout).toBe('v2\n');
    } finally {
      other.destroy();
    }
    box.run(['logout', host]);

    box.run(['tag', source, 'local-only']);
    const nowhere = box.run(['push', 'local-only']);
    expect(nowhere.code).toBe(125);
    expect(nowhere.stderr).toBe('Error: local-only: a push needs a registry in the name: for example tpod push local-only registry.example.com/local-only\n');
  });

  for (const flavour of ['basic', 'token'] as const) {
    it(`logs in and pulls from a registry with ${flavour} authentication`, async () => {
      const host = registries![flavour];
      const auth = { username: registries!.username, password: registries!.password };
      const path = `private/${repo(`auth-${flavour}`)}`;
      await busyboxImage().push(host, path, 'latest', auth);
      const name = `${host}/${path}:latest`;

      const anonymous = box.run(['pull', '-q', insecure, name]);
      expect(anonymous.code).toBe(125);
      expect(anonymous.stderr).toBe(`Error: ${host}/${path}: the registry requires authentication: log in with tpod login ${host}\n`);

      const wrong = box.run(['login', insecure, '-u', auth.username, '--password-stdin', host], { input: 'wrong\n' });
      expect(wrong.code).toBe(125);
      expect(wrong.stderr).toMatch(/the registry refused the credentials/);

      const ok = box.run(['login', insecure, '-u', auth.username, '--password-stdin', host], { input: `${auth.password}\n` });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toBe('Login Succeeded!\n');
      const file = JSON.parse(readFileSync(join(box.env.XDG_RUNTIME_DIR!, 'containers/auth.json'), 'utf8'));
      expect(Buffer.from(file.auths[host].auth, 'base64').toString()).toBe(`${auth.username}:${auth.password}`);

      expect(box.run(['pull', '-q', insecure, name]).code).toBe(0);
      expect(box.run(['logout', host]).stdout).toBe(`Removed login credentials for ${host}\n`);
      expect(box.run(['logout', host]).code).toBe(125);
    });
  }

  it.skipIf(!hasPodman)(`shares podman's logins both ways${hasPodman ? '' : ' (skipped: podman is not installed)'}`, async () => {
    const host = registries!.basic;
    const path = `private/${repo('podman-login')}`;
    const auth = { username: registries!.username, password: registries!.password };
    await busyboxImage().push(host, path, 'latest', auth);
    const podman = (...args: string[]) =>
      spawnSync('podman', ['--root', join(box.dir, 'podman-root'), '--runroot', join(box.dir, 'podman-run'), ...args], { env: box.env, encoding: 'utf8', input: auth.password });
    const login = podman('login', insecure, '-u', auth.username, '--password-stdin', host);
    expect(login.status, login.stderr).toBe(0);
    const pulled = box.run(['pull', '-q', insecure, `${host}/${path}:latest`]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(podman('logout', host).status).toBe(0);
    expect(box.run(['pull', '-q', insecure, `${host}/${path}:latest`]).code).toBe(125);

    box.run(['login', insecure, '-u', auth.username, '--password-stdin', host], { input: auth.password });
    const podmanPull = podman('pull', '-q', insecure, `${host}/${path}:latest`);
    expect(podmanPull.status, podmanPull.stderr).toBe(0);
    spawnSync('podman', ['unshare', 'rm', '-rf', join(box.dir, 'podman-root')], { env: box.env });
  });
});
