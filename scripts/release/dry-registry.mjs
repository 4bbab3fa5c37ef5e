#!/usr/bin/env node
// A throwaway npm registry on 127.0.0.1 for the publish dry run: every package lookup is a 404
// (nothing is published yet) and every publish (PUT) is accepted, checked and recorded instead of
// uploaded. Nothing leaves the machine.
//
//   node dry-registry.mjs <report.json>     prints the URL on its first stdout line; on SIGTERM
//                                           writes what was "published" to report.json and exits
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';

const [reportFile] = process.argv.slice(2);
const published = [];
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'PUT') {
      try {
        const doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const version = Object.keys(doc.versions ?? {})[0];
        const manifest = doc.versions[version];
        const attachment = Object.values(doc._attachments ?? {})[0];
        published.push({
          name: doc.name,
          version,
          tag: Object.keys(doc['dist-tags'] ?? {})[0],
          access: doc.access ?? null,
          tarballBytes: attachment ? Buffer.from(attachment.data, 'base64').length : 0,
          manifest,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch (e) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e) }));
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}/`));
process.on('SIGTERM', () => {
  writeFileSync(reportFile, JSON.stringify(published, null, 2));
  server.close();
  process.exit(0);
});
