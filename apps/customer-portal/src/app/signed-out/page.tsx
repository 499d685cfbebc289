import { SignedOut } from '@lana/shared/ui/signed-out';

export const metadata = { title: 'Signed out' };

export default function Page() {
  return <SignedOut product="Lana Bank" />;
}
