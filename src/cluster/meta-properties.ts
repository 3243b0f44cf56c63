// meta.properties in every log dir: the broker id and the cluster id, as Kafka
// writes them in ZooKeeper mode. All dirs must agree; a fresh dir gets a copy.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProperties } from './properties.js';
import { writeFileAtomic } from '../storage/atomic-file.js';

/** Kafka's cluster ids are random UUIDs printed as 22 characters of base64url. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export class MetaPropertiesError extends Error {
  override name = 'MetaPropertiesError';
}

/**
 * Reads meta.properties from each dir, checks they agree with each other, with `nodeId` and with
 * `clusterId` when given (the cluster's, from ZooKeeper), writes missing ones; returns the cluster id.
 */
export async function loadOrCreateMetaProperties(dirs: string[], nodeId: number, expectedClusterId?: string): Promise<string> {
  let clusterId: string | undefined;
  const missing: string[] = [];
  for (const dir of dirs) {
    const path = join(dir, 'meta.properties');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') { missing.push(dir); continue; }
      throw e;
    }
    const props = parseProperties(text);
    if (expectedClusterId !== undefined && props.get('version') === '1') {
      // A KRaft-mode log dir: its topics are in __cluster_metadata, not ZooKeeper, so every partition here would look stray.
      throw new MetaPropertiesError(`${path} was written by a Kafka broker in KRaft mode (version=1): Samsa reads ZooKeeper-mode metadata only, `
        + 'and on ZooKeeper none of this log dir\'s partitions would be known. Nothing was changed.');
    }
    const storedId = Number(props.get('broker.id') ?? props.get('node.id'));
    if (storedId !== nodeId) {
      throw new MetaPropertiesError(`${path} says broker.id ${storedId} but the config says ${nodeId}`);
    }
    const cid = props.get('cluster.id');
    if (!cid) throw new MetaPropertiesError(`${path} has no cluster.id`);
    if (clusterId !== undefined && cid !== clusterId) {
      throw new MetaPropertiesError(`${path} has cluster.id ${cid}, another log dir has ${clusterId}`);
    }
    if (expectedClusterId !== undefined && cid !== expectedClusterId) {
      // Kafka's InconsistentClusterIdException.
      throw new MetaPropertiesError(`The Cluster ID ${expectedClusterId} doesn't match stored clusterId ${cid} in ${path}. ` +
        'The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.');
    }
    clusterId = cid;
  }
  clusterId ??= expectedClusterId ?? newClusterId();
  for (const dir of missing) {
    const body = `#\n#${new Date().toString()}\nversion=0\nbroker.id=${nodeId}\ncluster.id=${clusterId}\n`;
    await writeFileAtomic(join(dir, 'meta.properties'), body);
  }
  return clusterId;
}

/** The cluster id of the first meta.properties found, without checking or writing anything. */
export async function storedClusterId(dirs: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    try {
      const id = parseProperties(await readFile(join(dir, 'meta.properties'), 'utf8')).get('cluster.id');
      if (id) return id;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return undefined;
}
