/** Placeholder until the page is built. */
export function SendPage (_props: { path: string }) {
  return <p>Not built yet.</p>
}
