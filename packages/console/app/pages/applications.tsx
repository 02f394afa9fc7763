/** Placeholder until the page is built. */
export function ApplicationsPage (_props: { path: string }) {
  return <p>Not built yet.</p>
}
