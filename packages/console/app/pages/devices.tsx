/** Placeholder until the page is built. */
export function DevicesPage (_props: { path: string }) {
  return <p>Not built yet.</p>
}
