import { useState } from "react";
import { useUi } from "../../stores/ui";
import { Button } from "../../ui/Button";
import { CreateCommunityDialog } from "../communities/CommunityDialogs";

export function EmptyHome({ hasCommunity }: { hasCommunity: boolean }) {
  const [creating, setCreating] = useState(false);
  const setDrawer = useUi((s) => s.setDrawer);
  return (
    <div className="flex h-full flex-col items-center justify-center gap-4 p-6 text-center">
      <div className="md:hidden">
        <Button variant="secondary" onClick={() => setDrawer(true)} aria-controls="channel-drawer">
          Show communities and channels
        </Button>
      </div>
      {hasCommunity ? (
        <p className="text-muted">This community has no text channels yet.</p>
      ) : (
        <>
          <h1 className="text-xl font-semibold">You are not in any community yet</h1>
          <p className="max-w-sm text-muted">Create one for your friends, or open an invite link someone sent you.</p>
          <Button onClick={() => setCreating(true)}>Create a community</Button>
        </>
      )}
      {creating ? <CreateCommunityDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}
