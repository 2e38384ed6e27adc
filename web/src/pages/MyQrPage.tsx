import { useEffect, useState } from 'preact/hooks';
import { errorMessage, type User } from '../api';
import { t } from '../i18n';
import { regionName, useRegions } from '../regions';
import { Page } from '../components/Page';
import { Avatar } from '../components/Avatar';
import { QrImage } from '../components/QrImage';
import { Link } from '../router';
import { qrApi, type QrCode } from '../qr/api';
import { ScanIcon } from '../qr/icons';

/** Me → My QR code: a card with who I am and the code that adds me as a contact. */
export function MyQrPage({ user }: { user: User }) {
  const regions = useRegions();
  const [code, setCode] = useState<QrCode | null>(null);
  const [error, setError] = useState('');

  async function load() {
    setError('');
    try {
      setCode(await qrApi.mine());
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  useEffect(() => {
    void load();
  }, []);

  const region = user.region ? regionName(regions, user.region) : '';
  return (
    <Page title={t('wallet.myqr.title')} back="/me" class="qr-screen">
      <div class="qr-card" id="my-qr-card" data-payload={code?.payload ?? ''}>
        <div class="qr-card-head">
          <Avatar username={user.username} name={user.display_name} size="lg" />
          <div class="qr-card-who">
            <div class="qr-card-name" id="my-qr-name">
              {user.display_name}
            </div>
            {region && <div class="qr-card-region">{region}</div>}
          </div>
        </div>
        {error ? (
          <div class="qr-card-error">
            <p class="form-error">{error}</p>
            <button type="button" class="button button-secondary button-small" onClick={() => void load()}>
              {t('common.retry')}
            </button>
          </div>
        ) : (
          <QrImage id="my-qr-image" src={code?.url ?? null} label={t('wallet.myqr.label', { name: user.display_name })} />
        )}
        <p class="qr-card-hint">{t('wallet.myqr.hint')}</p>
      </div>
      <div class="qr-actions">
        {code && (
          <a class="button button-secondary qr-action" id="my-qr-save" href={code.url} download={'plaza-' + user.username + '-qr.png'}>
            {t('wallet.qr.save_image')}
          </a>
        )}
        <Link href="/scan" class="button button-secondary qr-action" id="my-qr-scan">
          <ScanIcon size={18} /> {t('wallet.myqr.scan')}
        </Link>
      </div>
    </Page>
  );
}
