// Drives Plaza Pay through wechatpay-axios-plugin, a WeChat Pay v3 SDK from
// the npm registry, pointed at Plaza by its baseURL option: places a Native
// order, queries it, closes it, queries it closed, and (in certificate
// mode) downloads the platform certificates first, decrypting them with
// the APIv3 key. The SDK verifies every 2xx answer's Wechatpay-Signature
// against the certificate or public key that Wechatpay-Serial names; one
// answer is also verified here by hand. Prints PASS and exits 0, or prints
// the failure and exits 1.
//
// Environment (set by nodesdk_test.go):
//   PLAZA_BASE_URL        http://127.0.0.1:PORT
//   PLAZA_MCHID           the merchant id
//   PLAZA_SERIAL          the merchant certificate serial
//   PLAZA_PRIVATE_KEY     the merchant private key (PEM)
//   PLAZA_APIV3_KEY       the 32-byte APIv3 key
//   PLAZA_MODE            public_key | certificate
//   PLAZA_PLATFORM_KEY    the platform public key (PEM; public_key mode)
//   PLAZA_PLATFORM_KEY_ID its PUB_KEY_ID_… (public_key mode)
//   PLAZA_APPID           an appid bound to the merchant
//   PLAZA_NOTIFY_URL      the order's notify_url
'use strict';

const assert = require('node:assert/strict');
const { Wechatpay, Formatter, Rsa, Aes } = require('wechatpay-axios-plugin');

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

async function main() {
  const baseURL = env('PLAZA_BASE_URL').replace(/\/*$/, '/');
  const mchid = env('PLAZA_MCHID');
  const serial = env('PLAZA_SERIAL');
  const privateKey = env('PLAZA_PRIVATE_KEY');
  const apiv3Key = env('PLAZA_APIV3_KEY');
  const mode = env('PLAZA_MODE');
  const appid = env('PLAZA_APPID');
  const notifyUrl = env('PLAZA_NOTIFY_URL');

  const certs = {};
  if (mode === 'certificate') {
    // Bootstrap as the SDK's `wxpay crt` does: the first download cannot
    // be verified by the SDK (it knows no certificate yet; the verifier
    // keeps its own copy of certs), so decrypt the certificates from the
    // answer and verify the answer's signature with the one it names.
    const boot = new Wechatpay({ baseURL, mchid, serial, privateKey, certs: { any: undefined } });
    let raw = '';
    const injector = (response) => {
      raw = response;
      (JSON.parse(response).data || []).forEach(({ serial_no: no, encrypt_certificate: { nonce, associated_data: aad, ciphertext } }) => {
        certs[no] = Aes.AesGcm.decrypt(ciphertext, apiv3Key, nonce, aad);
      });
      return response;
    };
    const unverified = boot.client.v3.defaults.transformResponse.filter((f) => f.name !== 'verifier');
    const res = await boot.v3.certificates.get({ transformResponse: [injector, ...unverified] });
    assert.equal(res.status, 200);
    assert.equal(res.data.data.length, 1, 'one platform certificate');
    const c = res.data.data[0];
    assert.equal(c.encrypt_certificate.algorithm, 'AEAD_AES_256_GCM');
    assert.equal(c.encrypt_certificate.associated_data, 'certificate');
    assert.match(certs[c.serial_no], /^-----BEGIN CERTIFICATE-----/);
    const h = res.headers;
    assert.equal(h['wechatpay-serial'], c.serial_no, 'the answer carries the certificate serial');
    assert.ok(Rsa.verify(Formatter.response(h['wechatpay-timestamp'], h['wechatpay-nonce'], raw), h['wechatpay-signature'], Rsa.from(certs[c.serial_no], Rsa.KEY_TYPE_PUBLIC)),
      'the certificate download is signed by the certificate');
  } else {
    certs[env('PLAZA_PLATFORM_KEY_ID')] = env('PLAZA_PLATFORM_KEY');
  }

  const wxpay = new Wechatpay({ baseURL, mchid, serial, privateKey, certs });

  if (mode !== 'certificate') {
    // Public-key merchants have no platform certificate, as on WeChat.
    const res = await wxpay.v3.certificates.get().catch((e) => e.response);
    assert.equal(res.status, 404);
    assert.equal(res.data.code, 'RESOURCE_NOT_EXISTS');
  }

  const outTradeNo = `NODE${Date.now()}`;
  let rawBody = '';
  const capture = (raw) => { rawBody = raw; return raw; };
  const order = await wxpay.v3.pay.transactions.native.post({
    appid, mchid, description: 'Node SDK tea', out_trade_no: outTradeNo, notify_url: notifyUrl, amount: { total: 1 },
  }, { transformResponse: [capture, ...wxpay.client.v3.defaults.transformResponse] });
  assert.equal(order.status, 200);
  assert.match(order.data.code_url, /\/pay\?pr=wx/);

  // Verify one answer by hand too: TIMESTAMP\nNONCE\nBODY\n under the key
  // that Wechatpay-Serial names.
  const h = order.headers;
  const key = certs[h['wechatpay-serial']];
  assert.ok(key, `Wechatpay-Serial ${h['wechatpay-serial']} names a known key`);
  assert.ok(Rsa.verify(Formatter.response(h['wechatpay-timestamp'], h['wechatpay-nonce'], rawBody), h['wechatpay-signature'], Rsa.from(key, Rsa.KEY_TYPE_PUBLIC)),
    'the answer signature verifies');

  const query = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid }, out_trade_no: outTradeNo });
  assert.equal(query.status, 200);
  assert.equal(query.data.trade_state, 'NOTPAY');
  assert.equal(query.data.out_trade_no, outTradeNo);

  const closed = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.close.post({ mchid }, { out_trade_no: outTradeNo });
  assert.equal(closed.status, 204);

  const after = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({ params: { mchid }, out_trade_no: outTradeNo });
  assert.equal(after.data.trade_state, 'CLOSED');

  console.log(`PASS ${mode}`);
}

main().catch((err) => {
  console.error('FAIL', err && err.message, err && err.response ? `${err.response.status} ${JSON.stringify(err.response.data).slice(0, 300)}` : err);
  process.exit(1);
});
