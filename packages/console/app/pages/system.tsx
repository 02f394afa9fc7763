/** Placeholder until the page is built. */
export function SystemPage (_props: { path: string }) {
  return <p>Not built yet.</p>
}
