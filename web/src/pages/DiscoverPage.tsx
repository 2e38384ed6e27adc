import { Page } from '../components/Page';
import { Cell, CellGroup, CellIcon } from '../components/Cell';
import { MiniProgramIcon } from '../components/Icons';
import { showToast } from '../toast';

export function DiscoverPage() {
  return (
    <Page title="Discover">
      <CellGroup>
        <Cell
          id="discover-mini-programs"
          media={
            <CellIcon color="indigo">
              <MiniProgramIcon size={20} />
            </CellIcon>
          }
          title="Mini Programs"
          extra={<span class="muted">Coming soon</span>}
          chevron
          onClick={() => showToast('Mini Programs are coming soon.')}
        />
      </CellGroup>
      <p class="page-note">Apps that run right inside Plaza — no install needed.</p>
    </Page>
  );
}
