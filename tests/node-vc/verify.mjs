// Independent verification of Vouch's credentials with Digital Bazaar's libraries (not Vouch's code).
// Usage: node verify.mjs <input.json>; input = {documents: {url-or-did: document}, credentials: [..],
// presentations: [..]}. Offline: the document loader answers the published contexts from the npm packages'
// own copies, and everything else (Vouch's DID documents, status lists, the OB 3.0.3 context) from `documents`;
// any other URL is an error. Prints one JSON object with each result.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import jsigs from 'jsonld-signatures';
import * as credentialsContext from '@digitalbazaar/credentials-context';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const documents = input.documents || {};
const packaged = new Map([...credentialsContext.contexts]);
const loaded = [];

async function documentLoader(url) {
  loaded.push(url);
  if(packaged.has(url)) {
    return {contextUrl: null, documentUrl: url, document: packaged.get(url)};
  }
  if(documents[url] && url.includes('#')) {  // a verification method given by its full URL (an https issuer's key)
    return {contextUrl: null, documentUrl: url, document: structuredClone(documents[url])};
  }
  const [base, fragment] = url.split('#');
  const doc = documents[base];
  if(!doc) {
    throw new Error(`offline document loader: ${url} is not available`);
  }
  if(fragment !== undefined && base.startsWith('did:')) {
    const method = (doc.verificationMethod || []).find(m => m.id === url);
    if(!method) {
      throw new Error(`${url} is not in its DID document`);
    }
    return {contextUrl: null, documentUrl: url, document: {'@context': doc['@context'], ...method}};
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(doc)};
}

function summary(result) {
  const errors = [];
  const collect = r => {
    if(!r) return;
    if(r.error) errors.push(String(r.error.message || r.error).slice(0, 400));
    for(const e of (r.error && r.error.errors) || []) errors.push(String(e.message || e).slice(0, 400));
    for(const k of ['credentialResults', 'results']) for(const x of r[k] || []) collect(x);
    if(r.presentationResult) collect(r.presentationResult);
    if(r.statusResult && r.statusResult.error) errors.push(String(r.statusResult.error.message));
  };
  collect(result);
  const statuses = [];
  const walk = r => {
    if(!r) return;
    if(r.statusResult) statuses.push(r.statusResult.verified === undefined ? r.statusResult : {
      verified: r.statusResult.verified, revoked: r.statusResult.results ?
        r.statusResult.results.map(s => s.status) : undefined});
    for(const x of r.credentialResults || []) walk(x);
  };
  walk(result);
  return {verified: result.verified === true, errors: [...new Set(errors)], statuses};
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const out = {credentials: [], presentations: [], versions: {
  vc: (await import('@digitalbazaar/vc/package.json', {with: {type: 'json'}}).catch(() => ({default: {}}))).default.version,
}};
for(const credential of input.credentials || []) {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  out.credentials.push({id: credential.id, ...summary(result)});
}
for(const presentation of input.presentations || []) {
  const result = await vc.verify({
    presentation, suite, documentLoader, checkStatus,
    presentationPurpose: new jsigs.purposes.AssertionProofPurpose()
  });
  out.presentations.push({id: presentation.id, ...summary(result),
    credentialCount: (presentation.verifiableCredential || []).length});
}
out.loaded = [...new Set(loaded)];
console.log(JSON.stringify(out));
