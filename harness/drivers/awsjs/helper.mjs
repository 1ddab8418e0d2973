// The AWS SDK for JavaScript v3 helper of the conformance harness: one long-lived node process per run, one JSON
// request per line on stdin (a step), one JSON answer per line on stdout (what the SDK returned). The harness
// records the HTTP exchanges itself through its recording proxy; this program only drives the SDK as an
// application would. Protocol: harness/drivers/helper.py. Installed by `npm ci` (package-lock.json).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import https from "node:https";
import http from "node:http";
import { createInterface } from "node:readline";
import * as S3 from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";

const clients = new Map();

function client(c) {
  const key = JSON.stringify(c);
  if (!clients.has(key)) {
    const ca = c.ca_file ? readFileSync(c.ca_file) : undefined;
    const httpAgent = c.proxy ? new HttpProxyAgent(c.proxy, { keepAlive: true }) : new http.Agent({ keepAlive: true });
    const httpsAgent = c.proxy ? new HttpsProxyAgent(c.proxy, { keepAlive: true, ca })
      : new https.Agent({ keepAlive: true, ca });
    const options = {
      endpoint: c.endpoint, region: c.region, forcePathStyle: c.path_style, maxAttempts: 1,
      credentials: { accessKeyId: c.access_key, secretAccessKey: c.secret_key },
      requestHandler: new NodeHttpHandler({ httpAgent, httpsAgent }),
    };
    if (c.checksums) { // the variant: "WHEN_REQUIRED"; absent = the SDK's defaults
      options.requestChecksumCalculation = c.checksums;
      options.responseChecksumValidation = c.checksums;
    }
    clients.set(key, new S3.S3Client(options));
  }
  return clients.get(key);
}

const date = (s) => (s ? new Date(s) : undefined);

function conditions(c = {}) {
  return { IfMatch: c.if_match, IfNoneMatch: c.if_none_match, IfModifiedSince: date(c.if_modified_since),
    IfUnmodifiedSince: date(c.if_unmodified_since) };
}

// operations outside the seven, each sent once as the SDK sends it (the harness expects 501 NotImplemented)
const UNSUPPORTED = {
  ListObjectsV2: (r) => new S3.ListObjectsV2Command({ Bucket: r.bucket, Prefix: r.prefix }),
  CreateMultipartUpload: (r) => new S3.CreateMultipartUploadCommand({ Bucket: r.bucket, Key: r.key }),
  GetBucketLocation: (r) => new S3.GetBucketLocationCommand({ Bucket: r.bucket }),
  GetObjectAcl: (r) => new S3.GetObjectAclCommand({ Bucket: r.bucket, Key: r.key }),
  CopyObject: (r) => new S3.CopyObjectCommand({ Bucket: r.bucket, Key: r.key + ".copy",
    CopySource: `${r.bucket}/${encodeURIComponent(r.key)}` }),
  DeleteObjects: (r) => new S3.DeleteObjectsCommand({ Bucket: r.bucket,
    Delete: { Objects: [{ Key: r.key + ".absent" }] } }),
  CreateBucket: (r) => new S3.CreateBucketCommand({ Bucket: r.bucket + "-created-by-harness" }),
  DeleteBucket: (r) => new S3.DeleteBucketCommand({ Bucket: r.bucket + "-created-by-harness" }),
};

async function run(r) {
  const s3 = client(r.client);
  const B = r.bucket, K = r.key;
  switch (r.op) {
    case "ListBuckets": {
      const out = await s3.send(new S3.ListBucketsCommand({}));
      return { ok: true, buckets: (out.Buckets || []).map((b) => b.Name) };
    }
    case "HeadBucket":
      await s3.send(new S3.HeadBucketCommand({ Bucket: B }));
      return { ok: true };
    case "ListObjects": {
      const out = await s3.send(new S3.ListObjectsCommand({ Bucket: B, Prefix: r.prefix,
        Delimiter: r.delimiter ?? undefined, Marker: r.marker ?? undefined, MaxKeys: r.max_keys ?? undefined }));
      return { ok: true, page: {
        entries: (out.Contents || []).map((o) => [o.Key, o.Size, o.ETag]),
        prefixes: (out.CommonPrefixes || []).map((p) => p.Prefix),
        truncated: !!out.IsTruncated, next_marker: out.NextMarker ?? null } };
    }
    case "PutObject": {
      const h = r.headers || {};
      await s3.send(new S3.PutObjectCommand({ Bucket: B, Key: K, Body: readFileSync(r.body_file),
        ContentType: r.content_type ?? undefined, Metadata: r.metadata, CacheControl: h["cache-control"],
        ContentDisposition: h["content-disposition"], ContentLanguage: h["content-language"],
        ContentEncoding: h["content-encoding"], Expires: date(h.expires) }));
      return { ok: true };
    }
    case "GetObject": {
      const out = await s3.send(new S3.GetObjectCommand({ Bucket: B, Key: K, Range: r.range ?? undefined,
        ...conditions(r.conditions) }));
      const body = Buffer.from(await out.Body.transformToByteArray());
      return { ok: true, body_sha256: createHash("sha256").update(body).digest("hex"), body_size: body.length };
    }
    case "HeadObject":
      await s3.send(new S3.HeadObjectCommand({ Bucket: B, Key: K, ...conditions(r.conditions) }));
      return { ok: true };
    case "DeleteObject":
      await s3.send(new S3.DeleteObjectCommand({ Bucket: B, Key: K }));
      return { ok: true };
    case "Presign": {
      const options = r.expired ? { expiresIn: 60, signingDate: new Date(Date.now() - 3600 * 1000) }
        : { expiresIn: 600 };
      return { ok: true, url: await getSignedUrl(s3, new S3.GetObjectCommand({ Bucket: B, Key: K }), options) };
    }
    default: {
      if (!UNSUPPORTED[r.op]) throw new Error(`unknown op ${r.op}`);
      const out = await s3.send(UNSUPPORTED[r.op](r));
      if (r.op === "CreateMultipartUpload" && out.UploadId) {
        await s3.send(new S3.AbortMultipartUploadCommand({ Bucket: B, Key: K, UploadId: out.UploadId }));
      }
      return { ok: true };
    }
  }
}

function failure(e) {
  return { ok: false, code: e.Code || e.name, status: e.$metadata?.httpStatusCode,
    message: String(e.message || e).slice(0, 500) };
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  let answer;
  try {
    answer = await run(JSON.parse(line));
  } catch (e) {
    answer = failure(e);
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
