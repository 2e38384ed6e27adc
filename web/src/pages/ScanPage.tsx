import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../api';
import { t } from '../i18n';
import { navigate, Link } from '../router';
import { showToast } from '../toast';
import { Page } from '../components/Page';
import { ImageIcon } from '../components/Icons';
import { decodeCanvas, decodeFile, drawScaled } from '../qr/decode';
import { foreignContent, qrApi } from '../qr/api';
import { QrIcon } from '../qr/icons';

type Camera = 'starting' | 'on' | 'denied' | 'unavailable' | 'off';

type Found =
  | null
  | { kind: 'resolving'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'text'; text: string }
  | { kind: 'invalid'; message: string };

/** How often a camera frame is decoded. */
const FRAME_MS = 180;

/**
 * /scan: the camera (rear-facing) with a viewfinder, reading QR codes as
 * they come into view, and "Choose image" for a picture of one. Plaza's
 * codes open where they lead; any other link is shown, never followed
 * without a tap.
 */
export function ScanPage() {
  const video = useRef<HTMLVideoElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const [camera, setCamera] = useState<Camera>('starting');
  const [found, setFound] = useState<Found>(null);
  const foundRef = useRef<Found>(null);
  foundRef.current = found;

  function stopCamera() {
    stream.current?.getTracks().forEach((track) => track.stop());
    stream.current = null;
  }

  async function startCamera() {
    if (!navigator.mediaDevices?.getUserMedia) return setCamera('unavailable');
    setCamera('starting');
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
      stream.current = s;
      const v = video.current;
      if (!v) return stopCamera();
      v.srcObject = s;
      await v.play().catch(() => undefined);
      setCamera('on');
    } catch (err) {
      const name = err instanceof DOMException ? err.name : '';
      setCamera(name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'unavailable');
    }
  }

  useEffect(() => {
    void startCamera();
    return stopCamera;
  }, []);

  // Decode camera frames while nothing is found.
  useEffect(() => {
    if (camera !== 'on') return undefined;
    const canvas = document.createElement('canvas');
    let stop = false;
    let timer = 0;
    const tick = async () => {
      const v = video.current;
      if (stop) return;
      if (v && !foundRef.current && v.readyState >= 2 && v.videoWidth > 0) {
        drawScaled(canvas, v, v.videoWidth, v.videoHeight);
        const text = await decodeCanvas(canvas).catch(() => null);
        if (text && !stop && !foundRef.current) void handle(text);
      }
      if (!stop) timer = window.setTimeout(() => void tick(), FRAME_MS);
    };
    timer = window.setTimeout(() => void tick(), FRAME_MS);
    return () => {
      stop = true;
      window.clearTimeout(timer);
    };
  }, [camera]);

  async function handle(text: string) {
    setFound({ kind: 'resolving', text });
    try {
      const r = await qrApi.resolve(text);
      stopCamera();
      navigate(r.path);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'not_a_plaza_code') {
        const f = foreignContent(text);
        setFound(f.kind === 'link' ? { kind: 'link', text, href: f.href } : { kind: 'text', text });
      } else {
        setFound({ kind: 'invalid', message: errorMessage(err) });
      }
    }
  }

  async function onFile(f: File | undefined) {
    if (!f) return;
    setFound({ kind: 'resolving', text: '' });
    try {
      const text = await decodeFile(f);
      if (text) return void handle(text);
      setFound({ kind: 'invalid', message: t('wallet.scan.no_code') });
    } catch {
      setFound({ kind: 'invalid', message: t('wallet.scan.not_a_picture') });
    } finally {
      if (file.current) file.current.value = '';
    }
  }

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      showToast(t('wallet.scan.copied'), 'success');
    } catch {
      showToast(t('wallet.scan.copy_failed'), 'error');
    }
  }

  const again = () => setFound(null);

  return (
    <Page title={t('wallet.scan.title')} back="/chats" class="scan-screen" bare>
      <div class="scan-stage" id="scan-stage" data-camera={camera} data-state={found?.kind ?? 'scanning'}>
        <video ref={video} class={'scan-video' + (camera === 'on' ? ' on' : '')} id="scan-video" muted playsInline autoPlay />
        <div class="scan-shade" aria-hidden="true" />
        <div class="scan-frame" id="scan-viewfinder" aria-hidden="true">
          <span class="scan-corner tl" />
          <span class="scan-corner tr" />
          <span class="scan-corner bl" />
          <span class="scan-corner br" />
          {camera === 'on' && !found && <span class="scan-line" />}
        </div>
        <p class="scan-hint" id="scan-hint" role="status">
          {camera === 'starting' && t('wallet.scan.starting')}
          {camera === 'on' && t('wallet.scan.aim')}
          {camera === 'denied' && t('wallet.scan.denied')}
          {camera === 'unavailable' && t('wallet.scan.no_camera')}
        </p>
        {(camera === 'denied' || camera === 'unavailable') && (
          <div class="scan-nocam" id="scan-no-camera">
            <button type="button" class="button button-primary" onClick={() => file.current?.click()}>
              {t('wallet.scan.choose_image')}
            </button>
            {camera === 'denied' && (
              <button type="button" class="button button-secondary" onClick={() => void startCamera()}>
                {t('wallet.scan.camera_again')}
              </button>
            )}
          </div>
        )}

        <div class="scan-bar">
          <Link href="/me/qrcode" class="scan-bar-item" id="scan-my-code">
            <span class="scan-bar-icon">
              <QrIcon size={24} />
            </span>
            {t('wallet.scan.my_code')}
          </Link>
          <label class="scan-bar-item" for="scan-file" id="scan-choose">
            <span class="scan-bar-icon">
              <ImageIcon size={24} />
            </span>
            {t('wallet.scan.album')}
          </label>
          <input
            ref={file}
            type="file"
            id="scan-file"
            class="sr-only"
            accept="image/*"
            onChange={(e) => void onFile(e.currentTarget.files?.[0])}
          />
        </div>

        {found && (
          <div class="scan-result" id="scan-result" data-kind={found.kind} role="dialog" aria-label={t('wallet.scan.result')}>
            {found.kind === 'resolving' && (
              <p class="scan-result-title">
                <span class="spinner spinner-small" aria-hidden="true" /> {t('wallet.qr.reading')}
              </p>
            )}
            {found.kind === 'link' && (
              <>
                <p class="scan-result-title">{t('wallet.scan.link_title')}</p>
                <p class="scan-result-text" id="scan-result-text">
                  {found.href}
                </p>
                <p class="scan-result-note">{t('wallet.scan.link_note')}</p>
                <div class="scan-result-actions">
                  <button type="button" class="button button-secondary" onClick={again}>
                    {t('wallet.qr.scan_again')}
                  </button>
                  <a class="button button-primary" id="scan-open-link" href={found.href} target="_blank" rel="noopener noreferrer nofollow">
                    {t('wallet.scan.open')}
                  </a>
                </div>
              </>
            )}
            {found.kind === 'text' && (
              <>
                <p class="scan-result-title">{t('wallet.scan.text_title')}</p>
                <p class="scan-result-text" id="scan-result-text">
                  {found.text.length > 500 ? found.text.slice(0, 500) + '…' : found.text}
                </p>
                <div class="scan-result-actions">
                  <button type="button" class="button button-secondary" onClick={again}>
                    {t('wallet.qr.scan_again')}
                  </button>
                  <button type="button" class="button button-primary" onClick={() => void copy(found.text)}>
                    {t('common.copy')}
                  </button>
                </div>
              </>
            )}
            {found.kind === 'invalid' && (
              <>
                <p class="scan-result-title">{t('wallet.scan.cant_use')}</p>
                <p class="scan-result-text" id="scan-result-text">
                  {found.message}
                </p>
                <div class="scan-result-actions">
                  <button type="button" class="button button-primary" id="scan-again" onClick={again}>
                    {t('wallet.qr.scan_again')}
                  </button>
                </div>
              </>
            )}
          </div>
        )}
      </div>
    </Page>
  );
}
