import { render } from 'preact';
import { App } from './App';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/auth.css';
import './styles/pages.css';
import './styles/chat.css';
import './styles/wallet.css';
import './styles/pay.css';
import './styles/miniapp.css';
import './styles/admin.css';
import './styles/qr.css';

render(<App />, document.getElementById('app')!);
