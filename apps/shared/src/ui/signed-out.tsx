/** The page the provider returns to after logout; it needs no session. */
export function SignedOut({ product }: { product: string }) {
  return (
    <main className="signed-out">
      <h1>{product}</h1>
      <p>You are signed out.</p>
      <p>
        <a className="button" href="/api/auth/login">
          Sign in
        </a>
      </p>
    </main>
  );
}
