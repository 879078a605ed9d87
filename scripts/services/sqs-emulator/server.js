// The test suite's SQS emulator: local-aws-sqs 2.0.2 (a library without a command line) served over
// HTTP, with three bridges so that both peers of the interoperability tests can talk to it:
// AWSSDK.SQS v4 (.NET, JSON protocol) and kombu 5.2 / boto3 / pycurl (Python, query protocol).
//
//   node server.js [port]        environment: SQS_HOST (127.0.0.1), SQS_PORT (9324), AWS_REGION (us-east-1)
//
// Bridge 1, empty JSON answers. local-aws-sqs answers an action without result (ReceiveMessage that
//   found nothing, PurgeQueue, ...) with HTTP 200 and an empty body. Real SQS sends "{}". AWSSDK.SQS v4
//   cannot unmarshal an empty body and throws, so every empty long poll would fail. We send "{}".
// Bridge 2, queue URL in the request path. kombu's asynchronous SQS client (the one a Celery worker uses)
//   POSTs ReceiveMessage to http://host/<account>/<queue> with no QueueUrl parameter, and sends
//   DeleteMessage and friends as GET with the parameters in the query string. local-aws-sqs reads only
//   form bodies and finds the queue by QueueUrl; without this bridge a Celery worker dies at start
//   (NonExistentQueue). We move query parameters into a form body and add QueueUrl = the request URL.
// Bridge 3, long polling. local-aws-sqs holds ReceiveMessage(WaitTimeSeconds > 0) open until it has
//   MaxNumberOfMessages messages or the wait ends, so a lone message waits the full WaitTimeSeconds
//   (kombu and we ask for 10), and when the wait is not shorter than the visibility timeout the held
//   message becomes visible again and reaches a second poller too. Real SQS returns as soon as it has
//   at least one message. We patch that one condition in the bundled source when loading it.
"use strict";
const fs = require("fs");
const http = require("http");
const Module = require("module");
const path = require("path");
const { Readable } = require("stream");

const port = Number(process.argv[2] || process.env.SQS_PORT || 9324);
const hostname = process.env.SQS_HOST || "127.0.0.1";

function loadWithEarlyLongPollReturn() {
  const file = require.resolve("local-aws-sqs");
  // The poll loop of local-aws-sqs 2.0.2 (minified): resolve only when r (collected) reaches e (max).
  const original = "if(r.length==e){clearInterval(c),clearTimeout(n),o();break}}},10)";
  const patched = "if(r.length==e){clearInterval(c),clearTimeout(n),o();break}}r.length&&(clearInterval(c),clearTimeout(n),o())},10)";
  const source = fs.readFileSync(file, "utf8");
  if (!source.includes(original)) {
    // A different local-aws-sqs version: refuse rather than run an emulator that delivers twice.
    throw new Error("local-aws-sqs: long-poll loop not found; package.json pins 2.0.2, run npm ci");
  }
  const loaded = new Module(file, module);
  loaded.filename = file;
  loaded.paths = Module._nodeModulePaths(path.dirname(file));
  loaded._compile(source.replace(original, patched), file);
  return loaded.exports;
}

const { createRequestHandler } = loadWithEarlyLongPollReturn();
const { requestHandler } = createRequestHandler({
  port,
  hostname,
  region: process.env.AWS_REGION || "us-east-1",
  // Tests delete and recreate queue names; real AWS makes that wait 60 s.
  emulateQueueCreationLifecycle: false,
});

function answerEmptyJsonWithBraces(res) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    const json = String(res.getHeader("Content-Type") || "").startsWith("application/x-amz-json");
    const empty = chunk === undefined || chunk === null || chunk === "" || typeof chunk === "function";
    if (res.statusCode === 200 && json && empty) {
      if (typeof chunk === "function") rest.unshift(chunk);
      return end("{}", ...rest);
    }
    return end(chunk, ...rest);
  };
}

const server = http.createServer((req, res) => {
  answerEmptyJsonWithBraces(res);
  const isJson = String(req.headers["content-type"] || "").startsWith("application/x-amz-json");
  const url = new URL(req.url || "/", `http://${req.headers.host || `${hostname}:${port}`}`);
  const queueInPath = url.pathname !== "/" && url.pathname !== "";
  if (isJson || (!queueInPath && !url.search)) {
    requestHandler(req, res);
    return;
  }

  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const params = new URLSearchParams(Buffer.concat(chunks).toString());
    for (const [key, value] of url.searchParams) if (!params.has(key)) params.set(key, value);
    if (queueInPath && !params.has("QueueUrl")) params.set("QueueUrl", `${url.origin}${url.pathname}`);
    const body = Buffer.from(params.toString());
    const rewritten = Readable.from([body]);
    rewritten.method = "POST";
    rewritten.url = "/";
    rewritten.headers = { ...req.headers, "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) };
    rewritten.socket = req.socket;
    requestHandler(rewritten, res);
  });
});
server.keepAliveTimeout = 65000; // longer than a 20 s long poll, so SDK connections are reused
server.listen(port, hostname, () => console.log(`sqs emulator (local-aws-sqs 2.0.2) listening on http://${hostname}:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
