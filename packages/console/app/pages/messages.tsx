/** Placeholder until the page is built. */
export function MessagesPage (_props: { path: string }) {
  return <p>Not built yet.</p>
}
