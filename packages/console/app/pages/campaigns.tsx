/** Placeholder until the page is built. */
export function CampaignsPage (_props: { path: string }) {
  return <p>Not built yet.</p>
}
