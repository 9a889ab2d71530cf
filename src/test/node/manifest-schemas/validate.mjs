// Reads rendered Kubernetes objects (multi-document YAML) on stdin and checks each against its OpenAPI schema,
// through the model classes of kubernetes-models (core kinds) and @kubernetes-models/prometheus-operator
// (ServiceMonitor, PrometheusRule). Prints one line per object, and one per finding; exits 1 on any finding.
import { parseAllDocuments } from "yaml";

const packages = { "monitoring.coreos.com": "@kubernetes-models/prometheus-operator/monitoring.coreos.com" };

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === "" ? `kubernetes-models/${version}`
    : packages[group] ? `${packages[group]}/${version}` : `kubernetes-models/${group}/${version}`;
  const models = await import(module);
  return models[kind];
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const docs = parseAllDocuments(Buffer.concat(chunks).toString("utf8"));
let findings = 0;
for (const doc of docs) {
  if (doc.errors.length > 0) {
    console.log(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    findings++;
    continue;
  }
  const object = doc.toJS();
  if (object == null) continue;
  const name = `${object.kind}/${object.metadata?.name}`;
  let Model;
  try {
    Model = await modelClass(object.apiVersion, object.kind);
  } catch (e) {
    Model = undefined;
  }
  if (!Model) {
    console.log(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
    findings++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`${name}: valid`);
  } catch (e) {
    console.log(`${name}: ${e.message.replace(/\s+/g, " ")}`);
    findings++;
  }
}
process.exit(findings === 0 ? 0 : 1);
