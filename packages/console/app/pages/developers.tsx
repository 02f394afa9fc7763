/** Placeholder until the page is built. */
export function DevelopersPage (_props: { path: string }) {
  return <p>Not built yet.</p>
}
